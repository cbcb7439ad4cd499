package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
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
