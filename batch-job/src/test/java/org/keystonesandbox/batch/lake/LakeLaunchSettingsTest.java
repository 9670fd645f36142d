package org.keystonesandbox.batch.lake;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class LakeLaunchSettingsTest {
  @Test
  void withoutSparkSubmitTheDriverIsOnLoopbackTheMasterLocalAndTheCodegenCacheLarge() {
    SparkConf conf = Lake.launchSettings(new SparkConf(false), null);

    assertThat(conf.get("spark.sql.codegen.cache.maxEntries"))
        .isEqualTo(Lake.CODEGEN_CACHE_ENTRIES);
    assertThat(conf.get("spark.master")).isEqualTo(Lake.DEFAULT_MASTER);
    assertThat(conf.get("spark.driver.host")).isEqualTo("127.0.0.1");
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
  }

  @Test
  void whatSparkSubmitPassedIsKeptAndOnlyAnExplicitMasterOverridesIt() {
    SparkConf submitted =
        new SparkConf(false)
            .set("spark.master", "spark://spark-master:7077")
            .set("spark.driver.host", "chain")
            .set("spark.driver.bindAddress", "0.0.0.0")
            .set("spark.sql.codegen.cache.maxEntries", "300");

    SparkConf conf = Lake.launchSettings(submitted.clone(), null);
    assertThat(conf.get("spark.master")).isEqualTo("spark://spark-master:7077");
    assertThat(conf.get("spark.driver.host")).isEqualTo("chain");
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("0.0.0.0");
    assertThat(conf.get("spark.sql.codegen.cache.maxEntries")).isEqualTo("300");

    assertThat(Lake.launchSettings(submitted.clone(), "local[2]").get("spark.master"))
        .isEqualTo("local[2]");
  }
}
