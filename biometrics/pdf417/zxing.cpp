#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>
#include <cstdlib>
#include <cstring>
#include <exception>
#include "zxing.h"

extern "C" int ve_zx_read_pdf417(const unsigned char *gray, int width, int height, int stride,
                                 int try_harder, ve_zx_result *out, int max) {
	try {
		ZXing::ImageView view(gray, width, height, ZXing::ImageFormat::Lum, stride);
		ZXing::DecodeHints hints;
		hints.setFormats(ZXing::BarcodeFormat::PDF417);
		hints.setTryHarder(try_harder != 0);
		hints.setTryRotate(try_harder != 0);
		hints.setMaxNumberOfSymbols(max);
		auto results = ZXing::ReadBarcodes(view, hints);
		int n = 0;
		for (const auto &r : results) {
			if (n >= max || !r.isValid())
				continue;
			const auto &b = r.bytes();
			std::string t = r.text();
			ve_zx_result *o = &out[n];
			o->bytes_len = (int)b.size();
			o->bytes = (unsigned char *)malloc(b.size() + 1);
			o->text_len = (int)t.size();
			o->text = (char *)malloc(t.size() + 1);
			if (!o->bytes || !o->text) {
				free(o->bytes);
				free(o->text);
				return -1;
			}
			if (!b.empty())
				memcpy(o->bytes, b.data(), b.size());
			memcpy(o->text, t.c_str(), t.size() + 1);
			n++;
		}
		return n;
	} catch (const std::exception &) {
		return -1;
	} catch (...) {
		return -1;
	}
}

extern "C" void ve_zx_free(ve_zx_result *r) {
	free(r->bytes);
	free(r->text);
	r->bytes = nullptr;
	r->text = nullptr;
}
