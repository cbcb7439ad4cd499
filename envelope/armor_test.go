package envelope

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func armor(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w, err := NewArmorWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestArmorRoundTrip(t *testing.T) {
	for _, n := range []int{1, 47, 48, 49, 96, 1000, 100000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 13)
		}
		a := armor(t, b)
		if !IsArmored(a) {
			t.Fatal("IsArmored false")
		}
		got, err := io.ReadAll(NewArmorReader(bytes.NewReader(a)))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("n=%d: %v", n, err)
		}
	}
}

func TestArmorRejectsNonCanonical(t *testing.T) {
	good := string(armor(t, bytes.Repeat([]byte{0xAB}, 100)))
	cases := map[string]string{
		"crlf":          strings.ReplaceAll(good, "\n", "\r\n"),
		"trailing data": good + "x",
		"no end":        strings.TrimSuffix(good, armorEnd+"\n"),
		"short line":    armorBegin + "\nq6ur\n" + good[len(armorBegin)+1:],
		"bad begin":     strings.Replace(good, "BEGIN", "BEGIN X", 1),
		"space":         strings.Replace(good, "\n", " \n", 2),
		"no final nl":   strings.TrimSuffix(good, "\n"),
		"empty":         armorBegin + "\n" + armorEnd + "\n",
		// encoding/base64 skips CR and LF even in Strict mode: a line padded with CRs to 64
		// characters decoded to fewer bytes and was accepted (found by FuzzArmor)
		"cr in a full line": func() string {
			l := strings.Split(good, "\n")
			l[1] = l[1][:60] + "\r\r\r\r"
			return strings.Join(l, "\n")
		}(),
		"cr in the last line": func() string {
			l := strings.Split(good, "\n")
			l[3] += "\r\r\r\r"
			return strings.Join(l, "\n")
		}(),
	}
	for name, in := range cases {
		_, err := io.ReadAll(NewArmorReader(strings.NewReader(in)))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: untyped error %v", name, err)
		}
	}
}
