// Small C interface over zxing-cpp 1.4 (Debian libzxing-dev) for PDF417.
#ifndef VIRTENGINE_ZXING_H
#define VIRTENGINE_ZXING_H
#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned char *bytes; // decoded content bytes (malloc'd)
	int bytes_len;
	char *text;           // content as UTF-8 (malloc'd, NUL-terminated)
	int text_len;
} ve_zx_result;

// ve_zx_read_pdf417 decodes the PDF417 symbols of an 8-bit grey image, up to max of them, into out.
// It returns how many were found, or -1 on an internal error. Free each result with ve_zx_free.
int ve_zx_read_pdf417(const unsigned char *gray, int width, int height, int stride, int try_harder,
                      ve_zx_result *out, int max);
void ve_zx_free(ve_zx_result *r);

#ifdef __cplusplus
}
#endif
#endif
