# merge-metadata.jq — joins the -m records of the shards of one sweep into one summary.
#
#   jq -s -f docs/merge-metadata.jq shard*.meta.json > sweep.meta.json
#
# Fails (jq exits 5, naming the problem) unless the records are exactly the shards of one sweep:
# the same seed, the same --shards N and target set, and every shard 0..N-1 once.
# Counts are summed; times span from the first start to the last end; the exit status is 2 if a
# shard failed, else 0 if some shard found a host, else 1.
def total(f): map(f) | add;
def fail(msg): error("merge-metadata: " + msg);

if length == 0 then fail("no records given") else . end
| (map(.seed) | unique) as $seeds
| (map(.shards) | unique) as $shards
| (map(.targets.total) | unique) as $totals
| (map(.shard) | sort) as $have
| if ($seeds | length) != 1 then fail("the records have different seeds: \($seeds)")
  elif ($shards | length) != 1 then fail("the records have different --shards: \($shards)")
  elif ($totals | length) != 1 then fail("the records have different target sets: \($totals)")
  elif $have != [range(0; $shards[0])] then
    fail("shards \($have) given; expected each of 0..\($shards[0] - 1) once")
  elif total(.targets.shard) != $totals[0] then
    fail("the shards hold \(total(.targets.shard)) targets, the set \($totals[0])")
  else . end
| {
    version: (map(.version) | unique | if length == 1 then .[0] else . end),
    seed: $seeds[0],
    shards: $shards[0],
    targets: { total: $totals[0], probed: total(.targets.probed) },
    probes: { planned: total(.probes.planned), sent: total(.probes.sent),
              refused: total(.probes.refused) },
    replies: { valid: total(.replies.valid), echoreply: total(.replies.echoreply),
               unreach: total(.replies.unreach), timxceed: total(.replies.timxceed),
               other: total(.replies.other) },
    hosts_up: total(.hosts_up),
    hosts_unreachable: total(.hosts_unreachable),
    other_icmp_errors: total(.other_icmp_errors),
    invalid: total(.invalid),
    pcap: { received: total(.pcap.received), drops: total(.pcap.drops) },
    start_time: (map(.start_time) | min),
    end_time: (map(.end_time) | max),
    interrupted: any(.[]; .interrupted),
    exit_status: (map(.exit_status)
                  | if any(.[]; . == 2) then 2 elif any(.[]; . == 0) then 0 else 1 end),
    commands: map(.command)
  }
