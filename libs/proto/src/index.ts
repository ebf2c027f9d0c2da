/**
 * Generated protobuf-es code for every contract in proto/, one namespace per proto package.
 * Never edit src/gen: `npm run proto:gen` writes it and CI fails when it differs from proto/.
 */
export * as common from './gen/infermesh/common/v1/common_pb.js';
export * as inference from './gen/infermesh/inference/v1/inference_pb.js';
export * as tokenizer from './gen/infermesh/tokenizer/v1/tokenizer_pb.js';
export * as scheduler from './gen/infermesh/scheduler/v1/scheduler_pb.js';
export * as engine from './gen/infermesh/worker/v1/engine_pb.js';
export * as supervisor from './gen/infermesh/worker/v1/supervisor_pb.js';
export * as kv from './gen/infermesh/kv/v1/kv_directory_pb.js';
export * as billing from './gen/infermesh/billing/v1/billing_pb.js';
export * as events from './gen/infermesh/events/v1/events_pb.js';
