# Writes a synthetic k6 CSV (k6's 19-column layout, unix-second timestamps) of a closed-model
# ramp with a known capacity knee, as `k6 run --out csv=FILE` would: per request the rows of
# http_reqs, http_req_duration, http_req_blocked, http_req_connecting, http_req_tls_handshaking,
# http_req_sending, http_req_waiting, http_req_receiving and http_req_failed; per iteration
# data_sent, data_received, iteration_duration and iterations; per second vus and vus_max.
#
# The achieved rate climbs by STEP requests/s each second up to KNEE and stays there; latency
# is flat (p95 about BASE_MS) below the knee and grows by 20% a second past it, as VUs keep
# queueing. Stops once about MB megabytes are written.
#   mawk -v MB=200 -v KNEE=3000 -v STEP=100 -v BASE_MS=4 -f bench/k6_csv.awk > k6.csv
BEGIN {
  if (MB == "") MB = 200
  if (KNEE == "") KNEE = 3000
  if (STEP == "") STEP = 100
  if (BASE_MS == "") BASE_MS = 4
  srand(42)
  limit = MB * 1000000
  print "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata"
  url = "http://127.0.0.1:8080/"
  tags_ok = ",,,,true,,GET," url ",HTTP/1.1,default,,200,,," url ",,"
  tags_slow = ",,request timeout,1050,false,,GET," url ",HTTP/1.1,default,,0,,," url ",,"
  bytes = 0
  knee_second = -1
  for (second = 0; bytes < limit; second++) {
    ts = 1700000000 + second
    rate = 100 + STEP * second
    if (rate >= KNEE) {
      rate = KNEE
      if (knee_second < 0) knee_second = second
    }
    factor = knee_second < 0 ? 1 : 1 + 0.2 * (second - knee_second)
    vus = int(rate * BASE_MS * factor / 1000) + 1
    line = "vus," ts "," vus ",,,,,,,,,,,,,,,,\nvus_max," ts "," vus ",,,,,,,,,,,,,,,,\n"
    printf "%s", line
    bytes += length(line)
    for (i = 0; i < rate && bytes < limit; i++) {
      # Durations spread over [0.5, 1.05] x the level, one in fifty three times slower.
      d = BASE_MS * factor * (0.5 + 0.55 * rand())
      if (rand() < 0.02) d *= 3
      failed = factor > 2 && rand() < 0.002
      tags = failed ? tags_slow : tags_ok
      line = sprintf("http_reqs,%d,1%s\nhttp_req_duration,%d,%.6f%s\nhttp_req_blocked,%d,%.6f%s\nhttp_req_connecting,%d,0%s\nhttp_req_tls_handshaking,%d,0%s\nhttp_req_sending,%d,%.6f%s\nhttp_req_waiting,%d,%.6f%s\nhttp_req_receiving,%d,%.6f%s\nhttp_req_failed,%d,%d%s\ndata_sent,%d,76,,,,,,,,,default,,,,,,,\ndata_received,%d,1890,,,,,,,,,default,,,,,,,\niteration_duration,%d,%.6f,,,,,,,,,default,,,,,,,\niterations,%d,1,,,,,,,,,default,,,,,,,\n", \
        ts, tags, ts, d, tags, ts, 0.002, tags, ts, tags, ts, tags, ts, 0.011, tags, ts, d * 0.97, tags, ts, 0.03, tags, ts, failed, tags, ts, ts, ts, d + 0.1, ts)
      printf "%s", line
      bytes += length(line)
    }
  }
}
