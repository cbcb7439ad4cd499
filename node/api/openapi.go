package api

// openAPI describes the routes of Handler (OpenAPI 3.1). TestOpenAPIMatchesRoutes keeps it in step.
const openAPI = `{
  "openapi": "3.1.0",
  "info": {"title": "VirtEngine node API", "version": "1"},
  "paths": {
    "/v1/status": {"get": {"summary": "Chain id, height, app hash and this node's validator address", "responses": {"200": {"description": "status"}}}},
    "/v1/query/{path}": {"get": {"summary": "Application query (account/<addr>, identity/<addr>, identity/request/<id>, params, validators, fee_pool, market/…, settlement/…, hpc/…)", "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "JSON value"}, "404": {"description": "not found"}}}},
    "/v1/accounts/{addr}": {"get": {"summary": "An account: number, sequence, balance, roles, state", "parameters": [{"name": "addr", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{40}$"}}], "responses": {"200": {"description": "account"}, "404": {"description": "no such account"}}}},
    "/v1/identity/{addr}": {"get": {"summary": "An account's consensus identity score and attestation", "parameters": [{"name": "addr", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "identity"}, "404": {"description": "no score yet"}}}},
    "/v1/identity/{addr}/attestation": {"get": {"summary": "The network's credential as a W3C VC 2.0 (eddsa-jcs-2022) with one validator's proof (its signature is on chain)", "parameters": [{"name": "addr", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "validator", "in": "query", "required": false, "schema": {"type": "string"}}], "responses": {"200": {"description": "application/vc+ld+json"}, "404": {"description": "no score"}, "409": {"description": "not verified or not signed yet"}}}},
    "/v1/identity/{addr}/credential": {"get": {"summary": "The network's credential record (commitment, public attributes, one proof per validator) and its VCs", "parameters": [{"name": "addr", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "credential"}, "404": {"description": "no credential"}, "409": {"description": "not verified"}}}},
    "/v1/txs": {"post": {"summary": "Submit a signed transaction (canonical CBOR, base64) and return after CheckTx", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"tx": {"type": "string", "contentEncoding": "base64"}}, "required": ["tx"]}}}}, "responses": {"202": {"description": "accepted into the mempool"}, "409": {"description": "already submitted"}, "422": {"description": "rejected by CheckTx; code and error say why"}}}},
    "/v1/txs/{hash}": {"get": {"summary": "A committed transaction's height, code and events", "parameters": [{"name": "hash", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "committed"}, "404": {"description": "not committed"}}}},
    "/v1/events": {"get": {"summary": "Server-Sent Events: one 'block' event per committed block with its application events", "responses": {"200": {"description": "text/event-stream"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format"}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
  }
}`
