package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// Committee returns the identity committee's envelope recipients: every validator's committee key.
func (c *Client) Committee(ctx context.Context) ([]envelope.Recipient, error) {
	var vals []app.Validator
	if err := c.Query(ctx, "/validators", &vals); err != nil {
		return nil, err
	}
	var out []envelope.Recipient
	for _, v := range vals {
		if len(v.CommitteeKey) == 0 {
			continue
		}
		r, err := envelope.ParseRecipient(string(v.CommitteeKey))
		if err != nil {
			return nil, fmt.Errorf("client: validator %s committee key: %w", v.Name, err)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("client: the network has no identity committee keys")
	}
	return out, nil
}

// SubmitEvidence seals the features to the committee, signed by sender, and submits them for
// account key.
//
// Deprecated: validators extract features themselves from veid's evidence bundle and do not score
// device-computed features (FEATURES.md §3.6); such a request gets no votes and expires. Use
// SubmitEvidenceBundle.
func (c *Client) SubmitEvidence(ctx context.Context, key tx.Signer, sender envelope.Signer, f veid.Features) (string, *Result, error) {
	pt, err := json.Marshal(f)
	if err != nil {
		return "", nil, err
	}
	return c.submitSealed(ctx, key, sender, pt)
}

// SubmitEvidenceBundle seals the evidence bundle (images and capture data, veid.Evidence) to the
// identity committee, signed by sender, and submits it for account key; every validator decrypts
// it, extracts the features and scores them. It returns the request id (the transaction hash) once
// the submission is committed.
func (c *Client) SubmitEvidenceBundle(ctx context.Context, key tx.Signer, sender envelope.Signer, ev *veid.Evidence) (string, *Result, error) {
	pt, err := ev.MarshalBinary()
	if err != nil {
		return "", nil, err
	}
	return c.submitSealed(ctx, key, sender, pt)
}

func (c *Client) submitSealed(ctx context.Context, key tx.Signer, sender envelope.Signer, pt []byte) (string, *Result, error) {
	rs, err := c.Committee(ctx)
	if err != nil {
		return "", nil, err
	}
	env, err := envelope.Seal(pt, sender, rs, nil)
	if err != nil {
		return "", nil, err
	}
	res, err := c.Submit(ctx, key, &tx.MsgSubmitEvidence{Envelope: env})
	if err != nil {
		return "", res, err
	}
	return res.Hash, res, nil
}

// WaitIdentity polls until the request id is final or expired.
func (c *Client) WaitIdentity(ctx context.Context, id string) (*app.IdentityRequest, error) {
	for {
		var r app.IdentityRequest
		err := c.Query(ctx, "/identity/request/"+id, &r)
		if err == nil && r.Status != app.ReqPending {
			return &r, nil
		}
		if err := c.WaitHeight(ctx, 0); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-sleep():
		}
	}
}

// Credential returns the network's credential of a final, passed identity request (the request id
// in hex): public attributes, commitment and one proof per signing validator.
func (c *Client) Credential(ctx context.Context, id string) (*app.IssuedCredential, error) {
	var cr app.IssuedCredential
	if err := c.Query(ctx, "/identity/credential/"+id, &cr); err != nil {
		return nil, err
	}
	return &cr, nil
}

// WaitCredential polls until the credential of request id is issued (signed by more than 2/3 of
// the voting power) or its signing window closed (app.CredUnissued, returned with an error).
func (c *Client) WaitCredential(ctx context.Context, id string) (*app.IssuedCredential, error) {
	for {
		cr, err := c.Credential(ctx, id)
		if err == nil && cr.Status == app.CredIssued {
			return cr, nil
		}
		if err == nil && cr.Status == app.CredUnissued {
			return cr, fmt.Errorf("client: credential of %s was not signed by more than 2/3 of the voting power", id)
		}
		if err := c.WaitHeight(ctx, 0); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-sleep():
		}
	}
}

// IssuerKeys returns the validators' registered credential issuer keys.
func (c *Client) IssuerKeys(ctx context.Context) ([]app.IssuerKeys, error) {
	var keys []app.IssuerKeys
	if err := c.Query(ctx, "/identity/issuers", &keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// ZKIssuers returns the registered zk issuer keys: a relying party puts them into its presentation
// request's accepted issuers (zk.NewRequest), so only credentials signed by a validator verify.
func (c *Client) ZKIssuers(ctx context.Context) ([]zk.IssuerPublicKey, error) {
	keys, err := c.IssuerKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := app.ZKIssuers(keys)
	if len(out) == 0 {
		return nil, fmt.Errorf("client: the network has no registered zk issuer keys")
	}
	return out, nil
}

// CheckZKIssuer returns app.ErrNotValidatorIssuer unless the key is a registered validator issuer key.
func (c *Client) CheckZKIssuer(ctx context.Context, issuer zk.IssuerPublicKey) error {
	keys, err := c.IssuerKeys(ctx)
	if err != nil {
		return err
	}
	return app.CheckZKIssuer(keys, issuer)
}
