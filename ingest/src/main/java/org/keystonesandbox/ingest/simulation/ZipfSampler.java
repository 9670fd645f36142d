package org.keystonesandbox.ingest.simulation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws ranks 0..n-1 with probability proportional to {@code 1/(rank+1)^exponent}: exponent 0 is
 * uniform, 1 is classic Zipf, larger is more skewed. Precomputes the cumulative distribution once
 * (8 bytes per rank) and samples by binary search.
 */
final class ZipfSampler {
  private final double[] cumulative;

  ZipfSampler(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive: " + n);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int rank = 0; rank < n; rank++) {
      sum += 1.0 / Math.pow(rank + 1, exponent);
      cumulative[rank] = sum;
    }
    for (int rank = 0; rank < n; rank++) {
      cumulative[rank] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  int sample(SplittableRandom random) {
    int index = Arrays.binarySearch(cumulative, random.nextDouble());
    return index >= 0 ? index : -index - 1;
  }
}
