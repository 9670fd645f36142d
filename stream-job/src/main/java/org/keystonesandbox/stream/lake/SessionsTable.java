package org.keystonesandbox.stream.lake;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.IcebergSink;
import org.apache.iceberg.types.Types;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.stream.LakeSinkSettings;
import org.keystonesandbox.stream.topology.SessionUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions topic landed in the lake: the table {@link PipelineNames#RT_SESSIONS}, written by
 * Iceberg's Flink sink in upsert mode keyed by (user, session start), as a consumer of the topic
 * keeps it. A re-emitted session replaces the row under its key (an equality delete and an insert);
 * a retraction deletes it. The sink commits once per checkpoint, so rows become visible at the same
 * moments as the topic's transactions.
 */
public final class SessionsTable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionsTable.class);

  public static final List<String> KEY = List.of("user_id", "session_start");

  public static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "user_id", Types.StringType.get()),
              Types.NestedField.required(2, "session_start", Types.TimestampType.withZone()),
              Types.NestedField.required(3, "session_end", Types.TimestampType.withZone()),
              Types.NestedField.required(4, "events", Types.IntegerType.get()),
              Types.NestedField.required(5, "watch_ms", Types.LongType.get()),
              Types.NestedField.required(
                  6, "titles", Types.ListType.ofRequired(10, Types.StringType.get())),
              Types.NestedField.required(7, "late_events", Types.IntegerType.get()),
              Types.NestedField.required(8, "updated_by_late", Types.BooleanType.get()),
              Types.NestedField.required(9, "revision", Types.IntegerType.get())),
          Set.of(1, 2));

  /** Days of the session's start: the key's own column, as the upsert sink requires. */
  public static final PartitionSpec SPEC =
      PartitionSpec.builderFor(SCHEMA).day("session_start").build();

  private static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

  private SessionsTable() {}

  /** Lands {@code sessions} in the table, creating the namespace and the table if missing. */
  public static void sink(DataStream<SessionUpdate> sessions, LakeSinkSettings lake) {
    CatalogLoader catalog = catalogLoader(lake);
    TableIdentifier table = identifier(lake);
    createIfMissing(catalog.loadCatalog(), table);
    IcebergSink.forRowData(
            sessions
                .map(new ToRow(), InternalTypeInfo.of(ROW_TYPE))
                .name("sessions-to-rows")
                .uid("sessions-to-rows"))
        .tableLoader(TableLoader.fromCatalog(catalog, table))
        .upsert(true)
        .equalityFieldColumns(KEY)
        .uidSuffix("rt-sessions")
        .append()
        .name("sessions-to-iceberg");
  }

  public static TableIdentifier identifier(LakeSinkSettings lake) {
    return TableIdentifier.of(Namespace.of(lake.namespace()), PipelineNames.RT_SESSIONS);
  }

  /** The catalog the settings name, as Iceberg's Flink sink loads it on each task. */
  public static CatalogLoader catalogLoader(LakeSinkSettings lake) {
    org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
    Map<String, String> properties = lake.catalogProperties();
    return switch (lake.catalog()) {
      case HADOOP -> CatalogLoader.hadoop(PipelineNames.LAKE_CATALOG, hadoop, properties);
      case REST -> CatalogLoader.rest(PipelineNames.LAKE_CATALOG, hadoop, properties);
    };
  }

  static void createIfMissing(Catalog catalog, TableIdentifier table) {
    if (catalog instanceof SupportsNamespaces namespaces
        && !namespaces.namespaceExists(table.namespace())) {
      try {
        namespaces.createNamespace(table.namespace());
      } catch (AlreadyExistsException createdMeanwhile) {
        LOG.info(
            "namespace {} was created by another writer meanwhile: it is there, as wanted",
            table.namespace());
      }
    }
    if (!catalog.tableExists(table)) {
      try {
        catalog.createTable(table, SCHEMA, SPEC, Map.of(TableProperties.FORMAT_VERSION, "2"));
      } catch (AlreadyExistsException createdMeanwhile) {
        LOG.info("table {} was created by another writer meanwhile: it is there, as wanted", table);
      }
    }
  }

  /** One update of the topic as a row: a retraction deletes its key, anything else upserts. */
  static final class ToRow implements MapFunction<SessionUpdate, RowData> {
    @Override
    public RowData map(SessionUpdate s) {
      StringData[] titles = new StringData[s.titles.length];
      for (int i = 0; i < titles.length; i++) {
        titles[i] = StringData.fromString(s.titles[i]);
      }
      GenericRowData row =
          GenericRowData.of(
              StringData.fromString(s.userId),
              TimestampData.fromEpochMillis(s.sessionStart),
              TimestampData.fromEpochMillis(s.sessionEnd),
              s.events,
              s.watchMs,
              new GenericArrayData(titles),
              s.lateEvents,
              s.updatedByLate,
              s.revision);
      row.setRowKind(s.retracted ? RowKind.DELETE : RowKind.INSERT);
      return row;
    }
  }
}
