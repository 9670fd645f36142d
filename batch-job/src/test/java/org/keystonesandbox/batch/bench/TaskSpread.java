package org.keystonesandbox.batch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** Task durations per stage, collected while a job runs: where a skewed join shows. */
final class TaskSpread extends SparkListener {
  private final Map<Integer, List<Long>> durationsByStage = new ConcurrentHashMap<>();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    durationsByStage
        .computeIfAbsent(
            taskEnd.stageId(), s -> java.util.Collections.synchronizedList(new ArrayList<>()))
        .add(taskEnd.taskInfo().duration());
  }

  void reset() {
    durationsByStage.clear();
  }

  /** The stage whose slowest task was slowest: "tasks, max, median, sum" in milliseconds. */
  String slowestStage() {
    int worst = -1;
    long worstMax = -1;
    for (Map.Entry<Integer, List<Long>> stage : durationsByStage.entrySet()) {
      long max = stage.getValue().stream().mapToLong(Long::longValue).max().orElse(0);
      if (max > worstMax) {
        worstMax = max;
        worst = stage.getKey();
      }
    }
    if (worst < 0) {
      return "no tasks";
    }
    List<Long> sorted = new ArrayList<>(durationsByStage.get(worst));
    sorted.sort(null);
    long sum = sorted.stream().mapToLong(Long::longValue).sum();
    return "stage %d: %d tasks, slowest %,d ms, median %,d ms, sum %,d ms"
        .formatted(worst, sorted.size(), worstMax, sorted.get(sorted.size() / 2), sum);
  }

  long allTasksMs() {
    return durationsByStage.values().stream()
        .flatMap(List::stream)
        .mapToLong(Long::longValue)
        .sum();
  }
}
