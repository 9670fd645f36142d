package org.keystonesandbox.batch.gold;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;

/** The title catalog the generator wrote ({@code titles.csv}) as a small DataFrame. */
public final class TitleDimension {
  public static final StructType SCHEMA =
      new StructType()
          .add("title_id", DataTypes.StringType, false)
          .add("title_name", DataTypes.StringType, false)
          .add("genre", DataTypes.StringType, false)
          .add("runtime_ms", DataTypes.LongType, false);

  private TitleDimension() {}

  public static Dataset<Row> load(SparkSession spark, Path titlesFile) {
    try {
      return of(spark, CatalogFiles.readTitles(titlesFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the title catalog " + titlesFile, e);
    }
  }

  public static Dataset<Row> of(SparkSession spark, List<Title> titles) {
    List<Row> rows =
        titles.stream()
            .map(t -> RowFactory.create(t.titleId(), t.name(), t.genre(), t.runtimeMs()))
            .toList();
    return spark.createDataFrame(rows, SCHEMA);
  }
}
