package biometrics

import "image/color"

var blackRGBA = color.RGBA{0, 0, 0, 0}
