// Heartbeat bodies captured from a real SRS 7.0.18 origin (SRS proxy notes, section 10), byte for
// byte, shared by the parser, controller and e2e tests.

/** Without SRS_DEVICE_IP: `ip` is SRS's first non-loopback address; `srt` is always the wildcard form. */
export const SRS7_HEARTBEAT_NO_DEVICE_IP =
  '{"device_id":"srs-a","ip":"192.0.2.2","server":"vid-64z89y9","service":"027kqm67","pid":"19929","rtmp":["127.0.0.1:19350"],"api":["127.0.0.1:19850"],"srt":["udp://0.0.0.0:10090"]}';

/** With SRS_DEVICE_IP=127.0.0.1. */
export const SRS7_HEARTBEAT_DEVICE_IP =
  '{"device_id":"srs-b","ip":"127.0.0.1","server":"vid-o9t7407","service":"75040969","pid":"20869","rtmp":["127.0.0.1:19351"],"api":["127.0.0.1:19851"],"srt":["udp://0.0.0.0:10091"]}';

/** Headers SRS sends with each heartbeat. */
export const SRS7_HEARTBEAT_HEADERS = { 'content-type': 'application/json', 'user-agent': 'SRS/7.0.18(Hang)' } as const;
