// Emits the same few log records through the OpenTelemetry JS SDK's OTLP/HTTP
// log exporters (protobuf, protobuf with gzip, JSON) to http://127.0.0.1:PORT/v1/logs.
//     node export.js PORT
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const proto = require('@opentelemetry/exporter-logs-otlp-proto');
const json = require('@opentelemetry/exporter-logs-otlp-http');

const url = `http://127.0.0.1:${process.argv[2]}/v1/logs`;
const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'k8s.namespace.name': 'shop',
  'k8s.pod.name': 'checkout-7d4b9c6f5-x2x9q',
  'k8s.container.name': 'checkout',
  'k8s.cluster.name': 'prod-eu',
});

function startPaymentClient() {
  return require('stripe-payments-client');  // not installed: the crash the records report
}

async function emitWith(exporter) {
  const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('checkout.server', '1.4.2');
  logger.emit({ timestamp: 1758000000123, severityNumber: SeverityNumber.INFO, severityText: 'INFO',
                body: 'listening on :8080', attributes: { 'log.iostream': 'stdout' } });
  try {
    startPaymentClient();
  } catch (err) {
    logger.emit({ timestamp: 1758000000456, severityNumber: SeverityNumber.FATAL, severityText: 'FATAL',
                  body: 'startup failed', exception: err });
  }
  logger.emit({ timestamp: 1758000000789, severityNumber: SeverityNumber.WARN, severityText: 'WARN',
                body: { msg: 'retrying payment', attempt: 3, err: { type: 'TimeoutError', message: 'upstream timed out' } } });
  await provider.forceFlush();
  await provider.shutdown();
}

(async () => {
  await emitWith(new proto.OTLPLogExporter({ url }));
  await emitWith(new proto.OTLPLogExporter({ url, compression: 'gzip' }));
  await emitWith(new json.OTLPLogExporter({ url }));
})();
