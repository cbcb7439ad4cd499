package biometrics

import "image/color"

var blackRGBA = color.RGBA{0, 0, 0, 0}
var whiteRGBA = color.RGBA{255, 255, 255, 0}
