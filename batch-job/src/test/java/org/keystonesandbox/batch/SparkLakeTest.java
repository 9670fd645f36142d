package org.keystonesandbox.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.keystonesandbox.batch.lake.Lake;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.cli.Folders;

/**
 * One Spark {@code local[2]} session per test class, over a file-based Iceberg catalog in a
 * temporary folder. Tests that need a clean lake call {@link #freshLake} for a new namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkLakeTest {
  protected SparkSession spark;
  protected Path warehouse;
  private int lakes;

  @BeforeAll
  void startSpark() throws IOException {
    warehouse = Files.createTempDirectory("lake-");
    spark =
        Lake.session(LakeSettings.local(warehouse), getClass().getSimpleName(), "local[2]", 0, 4);
  }

  @AfterAll
  void stopSpark() throws IOException {
    spark.stop();
    Folders.delete(warehouse);
  }

  /** Settings for a namespace no earlier test of the class has used. */
  protected LakeSettings freshLake() {
    LakeSettings base = LakeSettings.local(warehouse);
    return new LakeSettings(
        base.catalogType(), warehouse, null, "test" + (++lakes), base.writeMode());
  }
}
