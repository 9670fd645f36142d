package org.keystonesandbox.sandbox.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The clusters' REST answers (recorded from Flink 2.1 and Spark 4.0) as the status view reads them.
 */
class ClusterRestTest {
  private static final Map<String, String> ANSWERS =
      Map.of(
          "/taskmanagers",
          """
          {"taskmanagers":[
            {"id":"taskmanager-2","path":"pekko.tcp://flink@taskmanager-2:6122/user/rpc/taskmanager_0",
             "dataPort":40111,"slotsNumber":2,"freeSlots":1},
            {"id":"taskmanager-1","path":"pekko.tcp://flink@taskmanager-1:6122/user/rpc/taskmanager_0",
             "dataPort":40112,"slotsNumber":2,"freeSlots":1}]}
          """,
          "/json/",
          """
          {"url":"spark://spark-master:7077","workers":[
            {"id":"worker-20261127-172.18.0.9-35111","host":"172.18.0.9","port":35111,
             "cores":1,"coresused":1,"coresfree":0,"memory":640,"memoryused":384,"memoryfree":256,
             "state":"ALIVE"}],
           "aliveworkers":1,"activeapps":[],"status":"ALIVE"}
          """,
          "/api/v1/applications",
          """
          [{"id":"app-20261127174736-0000","name":"keystone-batch-job chain"}]
          """,
          "/api/v1/applications/app-20261127174736-0000/allexecutors",
          """
          [{"id":"driver","hostPort":"chain:40000","isActive":true,"activeTasks":0,
            "completedTasks":0,"failedTasks":0},
           {"id":"0","hostPort":"172.18.0.9:41111","isActive":true,"activeTasks":2,
            "completedTasks":118,"failedTasks":1}]
          """);

  private HttpServer server;
  private String url;

  @BeforeEach
  void serveRecordedAnswers() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ANSWERS.forEach(
        (path, body) ->
            server.createContext(
                path,
                exchange -> {
                  byte[] bytes =
                      exchange.getRequestURI().getPath().equals(path)
                          ? body.getBytes(StandardCharsets.UTF_8)
                          : new byte[0];
                  exchange.sendResponseHeaders(
                      bytes.length > 0 ? 200 : 404, bytes.length > 0 ? bytes.length : -1);
                  exchange.getResponseBody().write(bytes);
                  exchange.close();
                }));
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void flinksTaskManagersAreListedWithTheirSlotsInIdOrder() {
    assertThat(new FlinkRest(url).taskManagers())
        .containsExactly(
            new FlinkRest.TaskManager("taskmanager-1", 2, 1),
            new FlinkRest.TaskManager("taskmanager-2", 2, 1));
  }

  @Test
  void sparksWorkersComeFromTheMasterAndTheExecutorsFromTheDriver() {
    SparkRest spark = new SparkRest(url, url);

    assertThat(spark.workers().orElseThrow())
        .containsExactly(
            new SparkRest.Worker(
                "worker-20261127-172.18.0.9-35111", "172.18.0.9", "ALIVE", 1, 1, 640, 384));
    assertThat(spark.executors().orElseThrow())
        .extracting(SparkRest.Executor::id, SparkRest.Executor::completedTasks)
        .containsExactly(
            org.assertj.core.api.Assertions.tuple("driver", 0),
            org.assertj.core.api.Assertions.tuple("0", 118));
  }

  @Test
  void aClusterThatDoesNotAnswerIsNoTaskManagersAndNoWorkers() {
    server.stop(0);

    assertThat(new FlinkRest(url).taskManagers()).isEmpty();
    assertThat(new SparkRest(url, url).workers()).isEmpty();
    assertThat(new SparkRest(url, url).executors()).isEmpty();
  }

  @Test
  void theStatusDocumentNamesEachFieldAsTheStatusPageReadsIt() {
    ObjectMapper json = new ObjectMapper();

    assertThat(json.valueToTree(new FlinkRest.TaskManager("tm-1", 2, 1)).toString())
        .isEqualTo("{\"id\":\"tm-1\",\"slots\":2,\"freeSlots\":1}");
    assertThat(
            json.valueToTree(
                    new SparkRest.Worker("w-1", "spark-worker-1", "ALIVE", 2, 1, 1024, 512))
                .toString())
        .isEqualTo(
            "{\"id\":\"w-1\",\"host\":\"spark-worker-1\",\"state\":\"ALIVE\",\"cores\":2,"
                + "\"coresUsed\":1,\"memoryMb\":1024,\"memoryUsedMb\":512}");
    assertThat(json.valueToTree(new SparkRest.Executor("1", "w:4100", true, 1, 2, 3)).toString())
        .isEqualTo(
            "{\"id\":\"1\",\"hostPort\":\"w:4100\",\"active\":true,\"activeTasks\":1,"
                + "\"completedTasks\":2,\"failedTasks\":3}");
  }
}
