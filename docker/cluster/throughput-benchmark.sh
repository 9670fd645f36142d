#!/usr/bin/env bash
# The stream job's throughput on the cluster profile's Flink session cluster (parallelism 2 over
# two TaskManagers) against the same job on its own MiniCluster (parallelism 2 in one JVM), on the
# same events. Needs the cluster profile up:
#   docker compose -f docker/compose.yaml -f docker/compose.cluster.yaml up --build -d
#   docker/cluster/throughput-benchmark.sh            # BENCH_EVENTS=500000 BENCH_BLOCKS=3
# A run is one bounded job over the whole topic; its rate is the records it read over the wall
# time of its client (start-up and submission included, as a user waits for them). Blocks
# alternate M C M C ... M (M: MiniCluster, C: cluster) after one unmeasured run of each; every C
# block is compared with the mean of its two M neighbours, and the median ratio is printed with
# its spread. On a 2-core machine both share the same cores: the ratio shows the cluster's
# overhead (network shuffle between TaskManagers, serialization, scheduling), not scale-out.
set -euo pipefail

cd "$(dirname "$0")/../.."
events=${BENCH_EVENTS:-500000}
blocks=${BENCH_BLOCKS:-3}
compose=(docker compose -f docker/compose.yaml -f docker/compose.cluster.yaml)
topic="bench-events-$(date +%s)"
job_flags=(--bootstrap-server=kafka:9092 "--events-topic=$topic" --sessions-topic=bench-sessions
  --late-topic=bench-late --dlq-topic=bench-dlq --group-id=bench --parallelism=2 --bounded
  --from-earliest --progress-interval=1h)

echo "benchmark: writing $events unique events to $topic" >&2
"${compose[@]}" run --rm --no-deps -T --entrypoint sh generator -c \
  "java -Xmx512m -jar /opt/keystone/keystone-ingest.jar -b kafka:9092 --topic $topic \
   --count $events --unthrottled --out-dir /tmp/bench-generator" >/dev/null

# One run; prints "<records> <seconds>".
run() {
  local mode=$1 command started ended line
  if [[ $mode == cluster ]]; then
    command="java -Xmx256m -cp /opt/keystone/keystone-stream-job.jar \
      org.apache.flink.client.cli.CliFrontend run /opt/keystone/keystone-stream-job.jar \
      --checkpoint-dir=file:///data/bench-checkpoints ${job_flags[*]}"
  else
    command="java -Xmx1g -jar /opt/keystone/keystone-stream-job.jar --fresh --web-ui-port=0 \
      --checkpoint-dir=file:///tmp/bench-checkpoints ${job_flags[*]}"
  fi
  started=$(date +%s.%N)
  line=$("${compose[@]}" run --rm --no-deps -T flink-submit sh -c "$command" 2>/dev/null \
    | grep '^stream-job finished:' || true)
  ended=$(date +%s.%N)
  if [[ -z $line ]]; then
    echo "benchmark: the $mode run printed no totals; run it by hand to see why" >&2
    exit 1
  fi
  # parsed + malformed: every record of the topic the job read.
  echo "$line" | awk -v s="$started" -v e="$ended" '{
    gsub(",", ""); parsed = $4; malformed = $7; printf "%d %.2f\n", parsed + malformed, e - s }'
}

rate() { awk '{ printf "%.0f\n", $1 / $2 }' <<<"$1"; }

echo "benchmark: warm-up (not measured): one run of each" >&2
run mini >/dev/null
run cluster >/dev/null

mini_rates=()
cluster_rates=()
for ((i = 0; i < blocks; i++)); do
  mini_rates+=("$(rate "$(run mini)")")
  cluster_rates+=("$(rate "$(run cluster)")")
  echo "benchmark: block $((i + 1)): MiniCluster ${mini_rates[i]} records/s," \
    "cluster ${cluster_rates[i]} records/s" >&2
done
mini_rates+=("$(rate "$(run mini)")")

ratios=()
for ((i = 0; i < blocks; i++)); do
  ratios+=("$(awk -v c="${cluster_rates[i]}" -v a="${mini_rates[i]}" -v b="${mini_rates[i + 1]}" \
    'BEGIN { printf "%.3f\n", c / ((a + b) / 2) }')")
done
sorted=($(printf '%s\n' "${ratios[@]}" | sort -g))
median=${sorted[$((blocks / 2))]}
median_rate=$(printf '%s\n' "${cluster_rates[@]}" | sort -g | sed -n "$((blocks / 2 + 1))p")
printf 'stream job on the session cluster (p=2, 2 TaskManagers): %s records/s = %.2f of its' \
  "$median_rate" "$median"
printf ' MiniCluster (p=2, one JVM) (median of %d blocks, spread %.2f-%.2f; 2 cores: overhead,' \
  "$blocks" "${sorted[0]}" "${sorted[$((blocks - 1))]}"
printf ' not scale-out)\n'
