// Package demo is the end-to-end flow of the VirtEngine SDK as a library function, so that the CLI
// (`virtengine demo`) and the node can both run it: RunSDK.
//
// The flow: the shared test images go through biometrics (a specimen passport with a portrait
// printed on it, a selfie, and a face-video frame sequence); the evidence is sealed with envelope to
// three in-process validators; the upload is bound to its capture (veid capture binding); each
// validator opens, extracts features and scores independently (composite-v2); the tally finalizes
// with more than 2/3 of the voting power; the network issues a W3C VC (eddsa-jcs-2022) and a zk
// credential; a relying party asks "age ≥ 18 and score ≥ 70" and verifies the holder's Groth16
// proof. Then the attacks it refuses: the proof replayed, a reused capture salt, the same face on a
// second account (protected templates), and a spoofed selfie.
package demo
