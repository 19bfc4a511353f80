'use strict';

// demo.js calls a running cio-transformer: one unary Transform, then three
// TransformBatch request messages pipelined over one stream, then delivers
// the requests the batch produced over one DeliverBatch stream. It prints
// one JSON document with the answers, for people and for the project's
// tests.
//
//   node demo.js [host:port]      (default localhost:50051)

const { newClient, transform, BatchStream, DeliverStream, rawJob, toStruct, headers } = require('./client');

const destination = { site_id: 'site-1', api_key: 'key-1' };

// summary reduces a job result to what a router acts on.
function summary(result) {
  const jobs = result.jobs.map((j) => j.job_id);
  if (result.error) {
    return { jobs, error: { status_code: result.error.status_code, message: result.error.message } };
  }
  const r = result.request;
  return { jobs, method: r.method, url: r.url, endpoint_path: r.endpoint_path, headers: headers(r), body: JSON.parse(r.body) };
}

async function main() {
  const target = process.argv[2] || 'localhost:50051';
  const client = newClient(target);
  try {
    // A typed event; its traits are a google.protobuf.Struct.
    const unary = await transform(client, {
      destination,
      job: {
        job_id: '1',
        event: {
          type: 'identify',
          user_id: 'user-1',
          original_timestamp: '2026-01-02T03:04:05Z',
          traits: toStruct({ email: 'ada@example.com', plan: 'pro', address: { city: 'London' }, tags: ['a', 1, true, null] }),
        },
      },
    });

    const stream = new BatchStream(client);
    // All three messages are written before any answer is read.
    const answers = Promise.all([
      stream.send(destination, [
        rawJob(1, { type: 'track', userId: 'user-1', event: 'Order Completed', properties: { total: 49.99 } }),
        rawJob(2, { type: 'track', userId: 'user-2' }),
      ]),
      stream.send(destination, [
        rawJob(3, { type: 'group', userId: 'user-1', groupId: 'acme', traits: { name: 'Acme' } }),
        rawJob(4, { type: 'group', userId: 'user-2', groupId: 'acme' }),
        rawJob(5, { type: 'page', userId: 'user-1', name: 'Home' }),
      ]),
      stream.send({ ...destination, datacenter: 'DATACENTER_EU' }, [
        rawJob(6, { type: 'alias', userId: 'user-9', previousId: 'anon-9' }),
      ]),
    ]);
    stream.close();
    const batches = await answers;

    // Deliver every request, all written before any answer is read; each
    // job gets its outcome (a router retries the throttled and retryable
    // ones, after retry_after when set).
    const dests = [destination, destination, { ...destination, datacenter: 'DATACENTER_EU' }];
    const delivering = new DeliverStream(client);
    const sent = Promise.all(batches.flatMap((results, i) => results
      .filter((r) => r.request)
      .map((r) => delivering.send(dests[i], r))));
    delivering.close();
    const deliveries = (await sent).map((d) => ({
      status: d.status,
      message: d.message,
      error_type: d.error_type || '',
      jobs: d.jobs.map((j) => ({ job_id: j.job.job_id, status_code: j.status_code, error: j.error })),
    }));

    process.stdout.write(JSON.stringify({
      transform: summary(unary.result),
      batches: batches.map((results) => results.map(summary)),
      deliveries,
    }, null, 2) + '\n');
  } finally {
    client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.stack || err}\n`);
  process.exit(1);
});
