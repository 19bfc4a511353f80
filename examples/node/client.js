'use strict';

// A Node.js client of cio-transformer's TransformerService, on
// @grpc/grpc-js and @grpc/proto-loader.
//
// The contract is loaded from the descriptor set buf builds from proto/
// (server/contract.binpb, kept up to date by make generate and checked by
// make checkgenerate), not from the .proto text: protobufjs's built-in
// copies of the well-known types name their fields in camelCase, so a
// google.protobuf.Struct written with proto names would lose its values.
// With the descriptor set every field keeps its proto name (snake_case),
// maps (headers, Struct fields) are lists of {key, value}, 64-bit integers
// are decimal strings and enums their names.

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const CONTRACT = path.resolve(__dirname, '..', '..', 'server', 'contract.binpb');

// loadContract returns the ciotransformer.v1 package.
function loadContract(file = CONTRACT) {
  const def = protoLoader.loadFileDescriptorSetFromBuffer(fs.readFileSync(file), {
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(def).ciotransformer.v1;
}

// newClient returns a TransformerService client of target (host:port, or
// dns:///name:port with round_robin to spread calls over every address the
// name has).
function newClient(target, { credentials = grpc.credentials.createInsecure(), contract = loadContract() } = {}) {
  return new contract.TransformerService(target, credentials, {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  });
}

// transform calls the unary Transform and resolves to its response.
function transform(client, request, { deadlineMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    client.Transform(request, { deadline: Date.now() + deadlineMs }, (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

// BatchStream pipelines TransformBatch request messages over one stream:
// send() writes a message at once, without waiting for earlier answers, and
// resolves to all results of that message once its final response arrives.
// The server answers messages in order, so pending sends form a queue.
class BatchStream {
  constructor(client, { deadlineMs = 30000 } = {}) {
    this.pending = [];
    this.nextId = 1;
    this.call = client.TransformBatch({ deadline: Date.now() + deadlineMs });
    this.call.on('data', (resp) => this.onResponse(resp));
    this.call.on('error', (err) => this.failAll(err));
    this.call.on('end', () => this.failAll(new Error('stream ended with requests unanswered')));
  }

  // send writes one request message for destination and jobs.
  send(destination, jobs) {
    const request_id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.push({ request_id, results: [], resolve, reject });
      this.call.write({ request_id, destination, jobs });
    });
  }

  // close ends the client's side of the stream.
  close() {
    this.call.end();
  }

  onResponse(resp) {
    const head = this.pending[0];
    if (!head || head.request_id !== resp.request_id) {
      this.failAll(new Error(`response for request ${resp.request_id}, expected ${head && head.request_id}`));
      return;
    }
    if (resp.error) {
      // The whole request message was refused (its envelope, or the
      // server's in-flight budget); none of its jobs was transformed, and
      // the stream goes on.
      this.pending.shift();
      head.reject(Object.assign(new Error(resp.error.message), { code: resp.error.code }));
      return;
    }
    head.results.push(...(resp.results || []));
    if (resp.final) {
      this.pending.shift();
      head.resolve(head.results);
    }
  }

  failAll(err) {
    for (const p of this.pending.splice(0)) {
      p.reject(err);
    }
  }
}

// DeliverStream pipelines DeliverBatch request messages over one stream:
// send() writes a request a transform produced, with the jobs it covers,
// and resolves to its Delivery (one outcome per job). The server sends the
// requests to Customer.io in the order written and answers in that order.
class DeliverStream {
  constructor(client, { deadlineMs = 60000 } = {}) {
    this.pending = [];
    this.nextId = 1;
    this.call = client.DeliverBatch({ deadline: Date.now() + deadlineMs });
    this.call.on('data', (resp) => this.onResponse(resp));
    this.call.on('error', (err) => this.failAll(err));
    this.call.on('end', () => this.failAll(new Error('stream ended with deliveries unanswered')));
  }

  // send writes one request message: a JobResult's request and jobs (in the
  // order of its batch's objects, as Customer.io's batch_index counts them).
  send(destination, result) {
    const request_id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.push({ request_id, resolve, reject });
      this.call.write({ request_id, destination, request: result.request, jobs: result.jobs });
    });
  }

  // close ends the client's side of the stream.
  close() {
    this.call.end();
  }

  onResponse(resp) {
    const head = this.pending.shift();
    if (!head || head.request_id !== resp.request_id) {
      this.failAll(new Error(`delivery for request ${resp.request_id}, expected ${head && head.request_id}`));
      return;
    }
    head.resolve(resp.delivery);
  }

  failAll(err) {
    for (const p of this.pending.splice(0)) {
      p.reject(err);
    }
  }
}

// toStruct converts a plain JSON object to a google.protobuf.Struct message.
function toStruct(obj) {
  return { fields: Object.entries(obj).map(([key, v]) => ({ key, value: toValue(v) })) };
}

// toValue converts a JSON value to a google.protobuf.Value message.
function toValue(v) {
  if (v === null || v === undefined) return { null_value: 'NULL_VALUE' };
  if (Array.isArray(v)) return { list_value: { values: v.map(toValue) } };
  switch (typeof v) {
    case 'number': return { number_value: v };
    case 'string': return { string_value: v };
    case 'boolean': return { bool_value: v };
    default: return { struct_value: toStruct(v) };
  }
}

// headers turns a request's headers, a list of {key, value}, into an object.
function headers(request) {
  return Object.fromEntries((request.headers || []).map(({ key, value }) => [key, value]));
}

// rawJob is a job carrying RudderStack's event JSON as it is.
function rawJob(jobId, event) {
  return { job_id: String(jobId), raw_event: Buffer.from(JSON.stringify(event)) };
}

module.exports = { loadContract, newClient, transform, BatchStream, DeliverStream, rawJob, toStruct, headers };
