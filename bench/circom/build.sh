#!/bin/sh
# Builds the circom reference: compile with full simplification (--O2), a local powers of tau of
# 2^15 (a development ceremony with one contribution, like zk's development setup), and the Groth16
# keys. Output in build/. Needs: npm install.
set -e
cd "$(dirname "$0")"
mkdir -p build
npx circom2 credential.circom --r1cs --wasm --O2 -o build
npx snarkjs r1cs info build/credential.r1cs
if [ ! -f build/pot15_final.ptau ]; then
  npx snarkjs powersoftau new bn128 15 build/pot15_0.ptau
  npx snarkjs powersoftau contribute build/pot15_0.ptau build/pot15_1.ptau --name=dev -e="virtengine dev entropy $(date +%s%N)"
  npx snarkjs powersoftau prepare phase2 build/pot15_1.ptau build/pot15_final.ptau
fi
start=$(date +%s%N)
npx snarkjs groth16 setup build/credential.r1cs build/pot15_final.ptau build/credential.zkey
end=$(date +%s%N)
echo "{\"setup_ms\": $(( (end - start) / 1000000 ))}" > build/setup.json
npx snarkjs zkey export verificationkey build/credential.zkey build/verification_key.json
