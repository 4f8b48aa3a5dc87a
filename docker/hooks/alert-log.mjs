// Prints each alert of every Alertmanager webhook notification it receives as one JSON line on
// stdout: the example receiver of docker/alertmanager/alertmanager.yml (service trainer-hooks).
// Example: HOST=127.0.0.1 PORT=5001 node docker/hooks/alert-log.mjs; Alertmanager POSTs to /alerts.
// (.mjs: it runs as ESM on its own, mounted into a plain node image without a package.json.)
/* global process, console */
import { createServer } from 'node:http';

const host = process.env.HOST ?? '0.0.0.0';
const port = Number(process.env.PORT ?? 5001);
const maxBody = 1_000_000;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/alerts') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('POST Alertmanager webhook notifications to /alerts\n');
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > maxBody) req.destroy();
  });
  req.on('end', () => {
    let payload;
    try {
      payload = JSON.parse(body);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('the body is not JSON\n');
      return;
    }
    for (const alert of Array.isArray(payload?.alerts) ? payload.alerts : []) {
      const labels = alert.labels ?? {};
      const annotations = alert.annotations ?? {};
      console.log(
        JSON.stringify({
          time: new Date().toISOString(),
          status: alert.status,
          alertname: labels.alertname,
          severity: labels.severity,
          instance: labels.instance,
          labels,
          summary: annotations.summary,
          description: annotations.description,
          startsAt: alert.startsAt,
        }),
      );
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok\n');
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(`alert-log listening on http://${host}:${bound}/alerts`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
