pragma circom 2.1.0;

// The statements of VirtEngine's credential-v1 (zk/CIRCUITS.md §3) written with circomlib gadgets:
// EdDSAPoseidonVerifier, comparators and SMTVerifier. It is the JavaScript reference stack that the
// Go/gnark implementation is measured against (bench.js); it mirrors the same public inputs.

include "node_modules/circomlib/circuits/poseidon.circom";
include "node_modules/circomlib/circuits/eddsaposeidon.circom";
include "node_modules/circomlib/circuits/comparators.circom";
include "node_modules/circomlib/circuits/bitify.circom";
include "node_modules/circomlib/circuits/smt/smtverifier.circom";

template CredentialV1(nRanges, nCountries, nAttrs, depth) {
    // public
    signal input issuerAx;
    signal input issuerAy;
    signal input nonce;
    signal input audience;
    signal input statements;
    signal input lo[nRanges];
    signal input hi[nRanges];
    signal input countries[nCountries];
    signal input revocationRoot;
    signal input requiredFlags;
    signal input discloseMask;
    signal input disclosed[nAttrs];
    signal input nullifier;
    // private
    signal input attr[nAttrs]; // birth, country, score, tier, flags, issued, expires, revIndex, holderKey
    signal input randomness;
    signal input R8x;
    signal input R8y;
    signal input S;
    signal input holderSecret;
    signal input siblings[depth];
    signal input oldKey;
    signal input oldValue;
    signal input isOld0;

    component on = Num2Bits(5);
    on.in <== statements;

    // commitment and issuer signature
    component cm = Poseidon(nAttrs + 1);
    for (var i = 0; i < nAttrs; i++) { cm.inputs[i] <== attr[i]; }
    cm.inputs[nAttrs] <== randomness;
    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== on.out[0];
    sig.Ax <== issuerAx;
    sig.Ay <== issuerAy;
    sig.S <== S;
    sig.R8x <== R8x;
    sig.R8y <== R8y;
    sig.M <== cm.out;

    // ranges: lo <= attr <= hi on birth, score, tier, issued, expires
    var rangeAttr[5] = [0, 2, 3, 5, 6];
    component ge[nRanges];
    component le[nRanges];
    for (var i = 0; i < nRanges; i++) {
        ge[i] = GreaterEqThan(32);
        ge[i].in[0] <== attr[rangeAttr[i]];
        ge[i].in[1] <== lo[i];
        ge[i].out === 1;
        le[i] = LessEqThan(32);
        le[i].in[0] <== attr[rangeAttr[i]];
        le[i].in[1] <== hi[i];
        le[i].out === 1;
    }

    // country in the public set
    signal prod[nCountries + 1];
    prod[0] <== 1;
    for (var i = 0; i < nCountries; i++) { prod[i + 1] <== prod[i] * (attr[1] - countries[i]); }
    on.out[1] * prod[nCountries] === 0;

    // required flags
    component fb = Num2Bits(8);
    fb.in <== attr[4];
    component rb = Num2Bits(8);
    rb.in <== requiredFlags;
    for (var i = 0; i < 8; i++) { rb.out[i] * (1 - fb.out[i]) === 0; }

    // disclosure
    component db = Num2Bits(nAttrs);
    db.in <== discloseMask;
    for (var i = 0; i < nAttrs; i++) { db.out[i] * (attr[i] - disclosed[i]) === 0; }

    // not revoked: non-membership of the revocation index in the issuer's sparse Merkle tree
    component smt = SMTVerifier(depth);
    smt.enabled <== on.out[2];
    smt.root <== revocationRoot;
    for (var i = 0; i < depth; i++) { smt.siblings[i] <== siblings[i]; }
    smt.oldKey <== oldKey;
    smt.oldValue <== oldValue;
    smt.isOld0 <== isOld0;
    smt.key <== attr[7];
    smt.value <== 0;
    smt.fnc <== 1;

    // holder binding and nullifier
    component hk = Poseidon(1);
    hk.inputs[0] <== holderSecret;
    signal bindOn <== on.out[3] + on.out[4] - on.out[3] * on.out[4];
    bindOn * (hk.out - attr[8]) === 0;
    component nf = Poseidon(2);
    nf.inputs[0] <== holderSecret;
    nf.inputs[1] <== audience;
    on.out[4] * (nf.out - nullifier) === 0;

    // session binding
    signal nonceSq <== nonce * nonce;
    signal audienceSq <== audience * audience;
}

component main {public [issuerAx, issuerAy, nonce, audience, statements, lo, hi, countries,
    revocationRoot, requiredFlags, discloseMask, disclosed, nullifier]} = CredentialV1(5, 16, 9, 32);
