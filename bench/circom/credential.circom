pragma circom 2.1.0;

// The statements of VirtEngine's credential-v2 (zk/CIRCUITS.md §3) written with circomlib gadgets:
// EdDSAPoseidonVerifier, comparators, SMTVerifier and Poseidon. It is the JavaScript reference stack
// that the Go/gnark implementation is measured against (bench.js); it mirrors the same public inputs,
// and like zk's circuit it holds every statement, switched by the statement bits: the inline country
// list and the Merkle-root country set (a 4-ary tree of Poseidon(4) nodes, 4 levels, 256 leaves).

include "node_modules/circomlib/circuits/poseidon.circom";
include "node_modules/circomlib/circuits/eddsaposeidon.circom";
include "node_modules/circomlib/circuits/comparators.circom";
include "node_modules/circomlib/circuits/bitify.circom";
include "node_modules/circomlib/circuits/smt/smtverifier.circom";

// CountryLevel places node at position b0 + 2·b1 among three siblings (in order) and hashes the four
// lanes, as zk's merkle.go does (with circomlib's Poseidon(4) instead of zk's width-4 Poseidon2).
template CountryLevel() {
    signal input node;
    signal input b0;
    signal input b1;
    signal input s[3];
    signal output out;
    signal e3 <== b0 * b1;
    signal e1 <== b0 - e3;
    signal e2 <== b1 - e3;
    signal e0 <== 1 - b0 - b1 + e3;
    signal t0 <== e0 * (node - s[0]);
    signal t1 <== e1 * (node - s[0]);
    signal t2 <== b1 * (s[1] - s[0]);
    signal t3 <== e2 * (node - s[1]);
    signal t4 <== e3 * (s[2] - s[1]);
    signal t5 <== e3 * (node - s[2]);
    component h = Poseidon(4);
    h.inputs[0] <== s[0] + t0;
    h.inputs[1] <== s[0] + t1 + t2;
    h.inputs[2] <== s[1] + t3 + t4;
    h.inputs[3] <== s[2] + t5;
    out <== h.out;
}

template CredentialV2(nRanges, nCountries, nAttrs, depth, countryLevels) {
    // public
    signal input issuerAx;
    signal input issuerAy;
    signal input nonce;
    signal input audience;
    signal input statements;
    signal input lo[nRanges];
    signal input hi[nRanges];
    signal input countries[nCountries];
    signal input countryRoot;
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
    signal input countryPos;
    signal input countrySiblings[countryLevels][3];
    signal input oldKey;
    signal input oldValue;
    signal input isOld0;

    component on = Num2Bits(6);
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

    // country in a large set: a leaf of the country tree under countryRoot
    component pos = Num2Bits(2 * countryLevels);
    pos.in <== countryPos;
    component lv[countryLevels];
    signal cnode[countryLevels + 1];
    cnode[0] <== attr[1];
    for (var k = 0; k < countryLevels; k++) {
        lv[k] = CountryLevel();
        lv[k].node <== cnode[k];
        lv[k].b0 <== pos.out[2 * k];
        lv[k].b1 <== pos.out[2 * k + 1];
        for (var i = 0; i < 3; i++) { lv[k].s[i] <== countrySiblings[k][i]; }
        cnode[k + 1] <== lv[k].out;
    }
    on.out[5] * (cnode[countryLevels] - countryRoot) === 0;

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
    countryRoot, revocationRoot, requiredFlags, discloseMask, disclosed, nullifier]} = CredentialV2(5, 16, 9, 32, 4);
