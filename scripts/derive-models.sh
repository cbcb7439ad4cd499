#!/usr/bin/env bash
# Derives the models that are converted from pinned originals (never committed): dlib's face
# recognition ResNet, from the TensorFlow.js weights of @vladmandic/face-api, to ONNX for OpenCV's dnn.
# The conversion is deterministic; `virtengine doctor` checks the result's sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./biometrics/cmd/facerec-convert >/dev/null
echo "==> derived models/face_recognition/dlib_resnet.onnx"
