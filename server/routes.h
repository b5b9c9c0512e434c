// The daemon's HTTP routes, by concern. Each adds its routes to the router; the
// handlers answer through the call's Responder and run blocking work (pipeline,
// store) on the context's worker pools.
//
// Ingest (routes_ingest.cpp): POST /v1/push/pubsub, /v1/logs (JSON, NDJSON,
//   OTLP logs, or Fluent Bit's MessagePack), /v1/logs/raw, /loki/api/v1/push
//   (JSON, or protobuf + snappy); ?service= (and ?revision=, ?instance=) on each
//   names the records that name none.
//   200 {"accepted","matched","duplicates","rejected":[…]} (and "warnings":[…]
//   for records kept with a time it could not read, "unknown_service" and a
//   "hint" when records named no service at all) once the batch is committed;
//   400 when every record is malformed; 413 over a
//   limit; 415 for a content type or encoding we do not read; 429/503 + Retry-After.
// Incident API (routes_api.cpp): GET /api/v1/incidents[/{id}], POST …/{id}/ack
//   and …/{id}/resolve, GET /api/v1/stats/mttr, GET /api/v1/rules.
// Operations (routes_ops.cpp): GET /healthz, /readyz, /metrics; POST /-/reload.
// Web page (routes_web.cpp): GET /, /ui/app.js, /ui/style.css, embedded at build
//   time; no token needed, served with a CSP that allows only the daemon's own files.
#pragma once

#include "server/http/router.h"
#include "server/serve_context.h"

namespace faultline {

void add_ingest_routes(Router& router, ServeContext& context);
void add_api_routes(Router& router, ServeContext& context);
void add_ops_routes(Router& router, ServeContext& context);
void add_web_routes(Router& router, ServeContext& context);

}  // namespace faultline
