// Logs the seed cascade's lines through one real npm log client, configured with
// its defaults except the URL, and returns once the client has delivered them.
//     node npm_ship.js CLIENT BASE_URL SEED_NDJSON
// CLIENT: winston-loki | pino-loki | otlp-proto | otlp-http. BASE_URL: http://127.0.0.1:PORT.
//
// Each Cloud Logging LogEntry of the seed becomes what its container's application
// would have logged: the textPayload (or jsonPayload.message) as the message, its
// severity as the level, the service netra-backend-staging, its labels.instanceId as
// the instance (as each container's own hostname or SDK resource would say). Times
// are moved to the present, as an application running now would log them: the
// entry's timestamp and the times the lines' own text carries (gunicorn's
// "[2025-09-16 00:42:34 +0000]").
'use strict';
const fs = require('fs');

const [client, base, seedPath] = process.argv.slice(2);
const SERVICE = 'netra-backend-staging';

function seedLines() {
  const entries = fs.readFileSync(seedPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const first = Date.parse(entries[0].timestamp);
  const shift = Math.floor((Date.now() - 60000) / 1000) * 1000 - Math.floor(first / 1000) * 1000;
  const moveText = (text) => text.replace(/2025-09-16([T ])(\d\d:\d\d:\d\d)/g, (_, sep, hms) => {
    const at = new Date(Date.parse(`2025-09-16T${hms}Z`) + shift).toISOString();
    return at.slice(0, 10) + sep + at.slice(11, 19);
  });
  return entries.map((e) => ({
    time: Date.parse(e.timestamp) + shift,
    severity: e.severity || 'DEFAULT',
    message: moveText(e.textPayload !== undefined ? e.textPayload : e.jsonPayload.message),
    instance: (e.labels || {}).instanceId,
  }));
}

const npmLevel = { CRITICAL: 'error', ERROR: 'error', WARNING: 'warn', INFO: 'info', DEFAULT: 'info', DEBUG: 'debug' };

async function winstonLoki(lines) {
  // Protobuf + snappy and batching are the transport's defaults; so is
  // replaceTimestamp, which stamps each line with Date.now() when it is logged,
  // so the `timestamp` given here is dropped and lines keep only their order.
  // The batch groups lines into one stream per label set (level, service,
  // instance), so the body does not keep the order across streams either.
  const winston = require('winston');
  const LokiTransport = require('winston-loki');
  const transport = new LokiTransport({ host: base });
  const logger = winston.createLogger({ level: 'debug', transports: [transport] });
  for (const l of lines) {
    logger.log({ level: npmLevel[l.severity] || 'info', message: l.message, timestamp: new Date(l.time).toISOString(),
      labels: { service_name: SERVICE, ...(l.instance ? { instance: l.instance } : {}) } });
  }
  await transport.close();  // sends the last batch and waits for the answer
}

async function pinoLoki(lines) {
  // One pino logger per instance writing to one pino-loki transport (a worker
  // thread): each container's process would log with its own hostname, which
  // pino-loki sends as the `hostname` stream label. The service is the one
  // label given (pino-loki names no service by itself). pino stamps `time` with
  // Date.now() when each line is logged; pino-loki sends that time, and the
  // line is pino's JSON record ({"level":50,"time":…,"pid":…,"msg":"…"}).
  const pino = require('pino');
  const transport = pino.transport({ target: 'pino-loki', options: { host: base, labels: { service_name: SERVICE } } });
  const loggers = new Map();
  const loggerFor = (instance) => {
    const key = instance || '';
    if (!loggers.has(key)) {
      loggers.set(key, pino({ level: 'debug', base: { pid: process.pid, hostname: instance } }, transport));
    }
    return loggers.get(key);
  };
  for (const l of lines) loggerFor(l.instance)[npmLevel[l.severity] || 'info'](l.message);
  // Ending the transport's stream closes pino-loki, which sends what it buffered.
  await new Promise((resolve, reject) => {
    transport.on('close', resolve);
    transport.on('error', reject);
    transport.end();
  });
}

async function otlp(lines, exporterPackage) {
  // One LoggerProvider per instance, as each container runs its own SDK; its
  // resource names the service and the instance. Each record keeps its time.
  const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { SeverityNumber } = require('@opentelemetry/api-logs');
  const { OTLPLogExporter } = require(exporterPackage);
  const number = { CRITICAL: SeverityNumber.FATAL, ERROR: SeverityNumber.ERROR, WARNING: SeverityNumber.WARN,
    INFO: SeverityNumber.INFO, DEFAULT: SeverityNumber.UNSPECIFIED, DEBUG: SeverityNumber.DEBUG };
  const providers = new Map();
  const loggerFor = (instance) => {
    const key = instance || '';
    if (!providers.has(key)) {
      const resource = resourceFromAttributes({ 'service.name': SERVICE, ...(instance ? { 'service.instance.id': instance } : {}) });
      const exporter = new OTLPLogExporter({ url: `${base}/v1/logs` });
      providers.set(key, new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] }));
    }
    return providers.get(key).getLogger('netra_backend');
  };
  for (const l of lines) {
    loggerFor(l.instance).emit({ timestamp: l.time, severityNumber: number[l.severity], severityText: l.severity,
      body: l.message });
  }
  // shutdown() flushes the batch processor and waits for the exporter's answer.
  for (const provider of providers.values()) await provider.shutdown();
}

const clients = {
  'winston-loki': winstonLoki,
  'pino-loki': pinoLoki,
  'otlp-proto': (lines) => otlp(lines, '@opentelemetry/exporter-logs-otlp-proto'),
  'otlp-http': (lines) => otlp(lines, '@opentelemetry/exporter-logs-otlp-http'),
};
if (!clients[client] || !base || !seedPath) {
  console.error('usage: node npm_ship.js winston-loki|pino-loki|otlp-proto|otlp-http BASE_URL SEED_NDJSON');
  process.exit(2);
}
clients[client](seedLines()).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
