package org.keystonesandbox.catalog;

import jakarta.servlet.http.HttpServletResponse;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.RESTException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.HTTPRequest;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.apache.iceberg.rest.RESTResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.UnavailableException;
import org.keystonesandbox.cli.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * An Iceberg REST catalog server in its own process: Iceberg's own REST protocol handler ({@code
 * RESTCatalogAdapter} and {@code RESTCatalogServlet}, the ones behind Iceberg's {@code
 * RESTCatalogServer}) on Jetty, over a {@code JdbcCatalog} whose SQLite file lives in the
 * warehouse, so a restarted server sees every namespace and table. Table metadata is written as
 * local files under the warehouse; clients (Spark) write data files to the same paths, so they must
 * see the warehouse at the same absolute path.
 *
 * <pre>
 * CATALOG_WAREHOUSE=data/lake java -jar docker/rest-catalog/target/keystone-rest-catalog.jar [--bind ADDRESS] [--port PORT]
 * </pre>
 *
 * The address and port are flags ({@code --bind}, default {@code CATALOG_REST_HOST} or {@code
 * 127.0.0.1}; {@code --port}, default {@code CATALOG_REST_PORT} or 8181). The catalog is configured
 * by environment variables, named as for Iceberg's {@code RESTCatalogServer}: {@code CATALOG_} +
 * the property, {@code __} for {@code -} and {@code _} for {@code .}:
 *
 * <ul>
 *   <li>{@code CATALOG_WAREHOUSE}: a local folder (or {@code file:} URI), default {@code
 *       data/lake}; made absolute, created if missing, and it must be writable.
 *   <li>{@code CATALOG_URI}: the catalog database, default {@code
 *       jdbc:sqlite:<warehouse>/catalog.db}.
 *   <li>any other {@code CATALOG_*} is a catalog property: {@code CATALOG_CLIENTS} (database
 *       connections, default 1 so that SQLite commits never contend), {@code CATALOG_IO__IMPL},
 *       {@code CATALOG_JDBC_USER}, {@code CATALOG_CATALOG_NAME} (the name stored with every row,
 *       default {@code rest_backend} as in Iceberg's server).
 * </ul>
 *
 * Prints {@code rest-catalog: ready at http://HOST:PORT (warehouse PATH)} once it accepts requests
 * ({@code GET /v1/config} answers 200 from then on) and runs until stopped (SIGTERM or Ctrl-C).
 * Exit codes are the project's ({@link ExitCodes}): a bad flag or an unusable warehouse or setting
 * exits 2, a failed start (port taken, database unreadable) 3, any other failure 5, each with one
 * line on stderr.
 */
@Command(
    name = RestCatalogMain.NAME,
    mixinStandardHelpOptions = true,
    version = "keystone-rest-catalog 0.1.0",
    sortOptions = false,
    description = {
      "An Iceberg REST catalog over a SQLite catalog in its warehouse folder.",
      "The catalog is configured by CATALOG_* environment variables: CATALOG_WAREHOUSE",
      "(default data/lake), CATALOG_URI, CATALOG_CLIENTS... (see the module README)."
    },
    footer = ExitCodes.HELP_FOOTER)
public final class RestCatalogMain implements Callable<Integer> {
  static final String NAME = "rest-catalog";
  static final String ENV_PREFIX = "CATALOG_";
  static final String DEFAULT_WAREHOUSE = Defaults.LAKE;
  static final int DEFAULT_PORT = 8181;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String DEFAULT_CATALOG_NAME = "rest_backend";

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME,
          "cannot start",
          "rest-catalog-log4j2.xml",
          (out, err) -> new RestCatalogMain(out, System.getenv()));

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = {
        "the address to listen on, 0.0.0.0 for every interface",
        "(default: CATALOG_REST_HOST, else " + DEFAULT_HOST + ")"
      })
  String bind;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = {
        "the HTTP port, 0 for a free one (the ready line names it)",
        "(default: CATALOG_REST_PORT, else " + DEFAULT_PORT + ")"
      })
  Integer port;

  private final PrintStream out;
  private final Map<String, String> env;

  RestCatalogMain(PrintStream out, Map<String, String> env) {
    this.out = out;
    this.env = env;
  }

  public static void main(String[] args) {
    MAIN.run(args);
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> props = catalogProperties(env);
    String host = bind != null ? bind.trim() : host(props.remove("rest.host"));
    props.remove("rest.host");
    String portText = props.remove("rest.port");
    int listenOn = CommandLines.settings(() -> port != null ? port(port) : port(portText));
    Path warehouse = writableWarehouse(props.getOrDefault("warehouse", DEFAULT_WAREHOUSE));
    props.put("warehouse", warehouse.toString());
    props.putIfAbsent("uri", "jdbc:sqlite:" + warehouse.resolve("catalog.db"));
    props.putIfAbsent("catalog-impl", JdbcCatalog.class.getName());
    props.putIfAbsent("jdbc.schema-version", "V1"); // the schema that also holds views
    props.putIfAbsent("clients", "1");
    String name = props.getOrDefault("catalog.name", DEFAULT_CATALOG_NAME);

    Catalog catalog;
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    try {
      catalog = CatalogUtil.buildIcebergCatalog(name, props, new Configuration());
      connector.setHost(host);
      connector.setPort(listenOn);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
      context.addServlet(
          new ServletHolder(
              new CatalogServlet(new GuardedAdapter(catalog, new WarehouseGuard(warehouse)))),
          "/*");
      server.setHandler(context);
      server.start();
    } catch (Exception e) {
      String where = host + ":" + listenOn + " (" + props.get("uri") + ")";
      if (unavailable(e)) {
        throw new UnavailableException(
            "cannot start on " + where + ": " + CommandLines.rootMessage(e), e);
      }
      throw new IllegalStateException("on " + where, e);
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stop(server, catalog), "rest-catalog-shutdown"));
    out.println(
        NAME
            + ": ready at http://"
            + host
            + ":"
            + connector.getLocalPort()
            + " (warehouse "
            + warehouse
            + ")");
    server.join();
    return ExitCodes.OK;
  }

  /** A start that failed for want of a port or the database: an I/O or SQL error at its root. */
  static boolean unavailable(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof SQLException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * The catalog properties the {@code CATALOG_*} variables name, as Iceberg's {@code
   * RESTCatalogServer} reads them: prefix dropped, {@code __} to {@code -}, {@code _} to {@code .},
   * lower case.
   */
  static Map<String, String> catalogProperties(Map<String, String> env) {
    Map<String, String> props = new TreeMap<>();
    env.forEach(
        (key, value) -> {
          if (key.startsWith(ENV_PREFIX) && key.length() > ENV_PREFIX.length()) {
            String name = key.substring(ENV_PREFIX.length()).replace("__", "-").replace('_', '.');
            props.put(name.toLowerCase(Locale.ROOT), value);
          }
        });
    return props;
  }

  /** The warehouse as an absolute local folder, created if missing and checked for writing. */
  static Path writableWarehouse(String location) {
    Path folder;
    if (location.startsWith("file:")) {
      folder = Path.of(URI.create(location));
    } else if (location.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new UsageException(
          "CATALOG_WAREHOUSE must be a local folder or file: URI, not " + location);
    } else {
      folder = Path.of(location);
    }
    folder = folder.toAbsolutePath().normalize();
    try {
      Files.createDirectories(folder);
      Files.delete(Files.createTempFile(folder, ".rest-catalog-probe", ""));
    } catch (IOException | RuntimeException e) {
      throw new UsageException(
          "warehouse " + folder + " is not a writable folder: " + CommandLines.rootMessage(e), e);
    }
    return folder;
  }

  /** The address to listen on: this machine only unless {@code CATALOG_REST_HOST} says more. */
  static String host(String value) {
    return value == null || value.isBlank() ? DEFAULT_HOST : value.trim();
  }

  /** The port {@code CATALOG_REST_PORT} names, 8181 if none. */
  static int port(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_PORT;
    }
    if (!value.trim().matches("\\d{1,5}")) {
      throw new IllegalArgumentException(
          "CATALOG_REST_PORT must be a port number (0-65535), not '" + value + "'");
    }
    return port(Integer.parseInt(value.trim()));
  }

  private static int port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("the port must be 0-65535, not " + port);
    }
    return port;
  }

  /** Iceberg's request handler, refusing locations outside the warehouse first. */
  private static final class GuardedAdapter extends RESTCatalogAdapter {
    private final WarehouseGuard guard;

    GuardedAdapter(Catalog catalog, WarehouseGuard guard) {
      super(catalog);
      this.guard = guard;
    }

    @Override
    protected <T extends RESTResponse> T execute(
        HTTPRequest request,
        Class<T> responseType,
        Consumer<ErrorResponse> errorHandler,
        Consumer<Map<String, String>> responseHeaders) {
      try {
        guard.check(request.body());
      } catch (ForbiddenException refused) {
        // Answered as Iceberg's adapter answers its own errors: the error response, then an
        // exception for the servlet.
        ErrorResponse.Builder error = ErrorResponse.builder();
        configureResponseFromException(refused, error);
        errorHandler.accept(error.build());
        throw new RESTException(refused, "refused: %s", refused.getMessage());
      }
      return super.execute(request, responseType, errorHandler, responseHeaders);
    }
  }

  /**
   * Iceberg's servlet, logging a failed request as one line when the server is at fault (5xx). It
   * logs every error response with a stack trace at ERROR itself, including the 404s clients get
   * from routine existence checks; the log4j2 configuration drops those.
   */
  private static final class CatalogServlet extends RESTCatalogServlet {
    private static final long serialVersionUID = 1L;
    // here, not in RestCatalogMain: created after main has pointed Log4j2 at its configuration
    private static final Logger LOG = LoggerFactory.getLogger(RestCatalogMain.class);

    CatalogServlet(RESTCatalogAdapter adapter) {
      super(adapter);
    }

    @Override
    protected Consumer<ErrorResponse> handle(HttpServletResponse response) {
      Consumer<ErrorResponse> send = super.handle(response);
      return error -> {
        if (error.code() >= 500) {
          LOG.warn("request failed: {} {}: {}", error.code(), error.type(), error.message());
        }
        send.accept(error);
      };
    }
  }

  private static void stop(Server server, Catalog catalog) {
    try {
      server.stop();
    } catch (Exception e) {
      System.err.println(
          NAME + ": stopping the HTTP server failed: " + CommandLines.rootMessage(e));
    }
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        System.err.println(NAME + ": closing the catalog failed: " + CommandLines.rootMessage(e));
      }
    }
  }
}
