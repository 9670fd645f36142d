package org.keystonesandbox.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A job measured against its reference the way every benchmark here does it, so that a shared,
 * noisy machine moves both alike: unmeasured warm-up runs of each first (said so), then blocks
 * alternating R J R J ... R, each job block compared with the mean of the reference blocks on
 * either side of it. The result is the median of those ratios, with their spread (lowest and
 * highest) and the number of blocks.
 */
public final class AlternatingBlocks {
  /**
   * One run of the job or of its reference: its figure, a rate where higher is better (records/s),
   * or a time where the ratio asked for is one of times (a repair against a rebuild).
   */
  @FunctionalInterface
  public interface Run {
    double figure() throws Exception;
  }

  /** The comparison: the job's median ratio to its reference, and the medians of both figures. */
  public record Result(
      double medianRatio,
      double lowestRatio,
      double highestRatio,
      int blocks,
      double jobMedian,
      double referenceMedian) {

    /**
     * {@code <stage>: <figure> = <ratio> of <reference> (median of N blocks, spread a-b; goal g)},
     * the one line every benchmark prints per stage.
     *
     * @param unit what the figures count, e.g. "records/s"
     * @param goal the ratio to reach, e.g. "at least 0.5"
     */
    public String line(String stage, String unit, String reference, String goal) {
      return String.format(
          Locale.ROOT,
          "%s: %,.0f %s = %.2f of %s (median of %d blocks, spread %.2f-%.2f; goal %s)",
          stage,
          jobMedian,
          unit,
          medianRatio,
          reference,
          blocks,
          lowestRatio,
          highestRatio,
          goal);
    }
  }

  private final int warmUps;
  private final int blocks;
  private final PrintStream log;

  /**
   * @param warmUps unmeasured runs of each before the first block
   * @param blocks measured job blocks (one more reference block surrounds them)
   * @param log where each run's figure is printed as it comes
   */
  public AlternatingBlocks(int warmUps, int blocks, PrintStream log) {
    if (blocks < 1 || warmUps < 0) {
      throw new IllegalArgumentException("at least one block, and no negative warm-up");
    }
    this.warmUps = warmUps;
    this.blocks = blocks;
    this.log = log;
  }

  public Result run(String jobName, Run job, String referenceName, Run reference) throws Exception {
    for (int i = 1; i <= warmUps; i++) {
      double r = reference.figure();
      double j = job.figure();
      log.printf(
          Locale.ROOT,
          "warm-up %d (not counted): %s %,.0f, %s %,.0f%n",
          i,
          referenceName,
          r,
          jobName,
          j);
    }
    List<Double> references = new ArrayList<>();
    List<Double> jobs = new ArrayList<>();
    references.add(reference.figure());
    log.printf(Locale.ROOT, "block 0: %s %,.0f%n", referenceName, references.get(0));
    for (int i = 1; i <= blocks; i++) {
      jobs.add(job.figure());
      references.add(reference.figure());
      log.printf(
          Locale.ROOT,
          "block %d: %s %,.0f, %s %,.0f%n",
          i,
          jobName,
          jobs.get(i - 1),
          referenceName,
          references.get(i));
    }
    return compare(jobs, references);
  }

  /**
   * Job block {@code i} ran between reference blocks {@code i} and {@code i + 1}: its ratio is
   * against their mean.
   */
  public static Result compare(List<Double> jobs, List<Double> references) {
    if (jobs.isEmpty() || references.size() != jobs.size() + 1) {
      throw new IllegalArgumentException(
          "every job block needs a reference block on each side: "
              + jobs.size()
              + " job and "
              + references.size()
              + " reference blocks");
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      ratios.add(jobs.get(i) / ((references.get(i) + references.get(i + 1)) / 2));
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    return new Result(
        median(ratios),
        sorted.get(0),
        sorted.get(sorted.size() - 1),
        jobs.size(),
        median(jobs),
        median(references));
  }

  /** The middle value; the mean of the two middle ones for an even count. */
  public static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
