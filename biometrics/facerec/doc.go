// Package facerec converts dlib's face recognition ResNet, as shipped in TensorFlow.js format by the npm
// package @vladmandic/face-api@1.7.15 ("FaceRecognitionNet": 150×150 RGB input, 29 convolutions in
// residual blocks, 128-d output), into an ONNX model that OpenCV 4.6's dnn module loads, and runs the
// same network directly in Go as a reference.
//
// It is pure Go (no cgo). Most users never call it: package biometrics converts the model on first
// use. Set-up can do it ahead of time with
//
//	go run ./biometrics/cmd/facerec-convert
//
// which writes models/face_recognition/dlib_resnet.onnx into the data directory.
//
// The network (face-api.js src/faceRecognitionNet/FaceRecognitionNet.ts): input is RGB, minus the mean
// (122.782, 117.001, 104.298), divided by 255. Each conv layer is conv2d + bias, then a per-channel
// scale (x·w + b), then ReLU except for the second conv of a residual block. Down-sampling blocks use
// a 3×3 stride-2 "valid" conv, and their shortcut is a 2×2 average pool, zero-padded in channels and,
// when the shapes differ, the main branch is zero-padded at the bottom and right. The output is the
// spatial mean times a 256×128 matrix.
package facerec
