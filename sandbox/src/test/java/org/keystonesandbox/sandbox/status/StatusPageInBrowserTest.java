package org.keystonesandbox.sandbox.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * The status view rendered by a real browser: {@link StatusServer} serves a recorded status
 * document, headless Chromium loads the page, runs its script and dumps the resulting DOM (or a
 * screenshot), and the test reads the rendered figures by their {@code data-testid}.
 */
class StatusPageInBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;
  private static final List<String> CHARTS =
      List.of("chart-produced", "chart-lag", "chart-late", "chart-sessions");

  @TempDir Path home;

  private Path browser;

  @BeforeEach
  void findBrowser() {
    Optional<Path> found = chromium();
    Assumptions.assumeTrue(
        found.isPresent(), "chromium is not installed: apt-get install chromium");
    browser = found.get();
  }

  @Test
  void rendersEveryStageOfTheSampleStatus() throws Exception {
    JsonNode sample = sample();
    String dom = dumpDom(() -> sample);

    assertThat(text(dom, "verdict")).isEqualTo("PASS");
    assertThat(text(dom, "produced")).isEqualTo("204,389");
    assertThat(text(dom, "mode")).isEqualTo("mode: embedded");
    assertThat(text(dom, "generator-state")).isEqualTo("finished");
    assertThat(text(dom, "generator-duplicates")).isEqualTo("3,987");
    assertThat(text(dom, "kafka-state")).isEqualTo("reachable");
    assertThat(text(dom, "topic-" + PipelineNames.EVENTS_TOPIC)).isEqualTo("204,389");
    assertThat(text(dom, "stream-state")).isEqualTo("RUNNING");
    assertThat(text(dom, "stream-lag")).isEqualTo("0");
    assertThat(text(dom, "counter-sessionsEmitted")).isEqualTo("58,730");
    assertThat(text(dom, "batch-state")).isEqualTo("caught up");
    assertThat(text(dom, "batch-bronze-read")).isEqualTo("204,389");
    assertThat(dom).contains("data-testid=\"link-flink\"").contains("http://localhost:8081");
    assertThat(text(dom, "banner")).isEmpty();

    for (JsonNode table : sample.path("tables")) {
      String name = table.path("name").asText();
      assertThat(dom).contains("data-testid=\"table-" + name + "\"");
      assertThat(text(dom, "rows-" + name))
          .isEqualTo(String.format(java.util.Locale.US, "%,d", table.path("rows").asLong()));
    }
    assertThat(text(dom, "rows-" + PipelineNames.GOLD_TITLE_COUNTRY_DAILY)).isEqualTo("4,812");

    // Every check is listed; the INFO check shows its details.
    assertThat(count(dom, "data-testid=\"check\""))
        .isEqualTo(sample.path("verification").path("checks").size());
    assertThat(dom)
        .contains("data-outcome=\"INFO\"")
        .contains("real time vs batch")
        .contains("17 min behind the watermark");

    int points = sample.path("history").size();
    for (String chart : CHARTS) {
      List<Integer> lines = polylinePoints(section(dom, chart));
      assertThat(lines).as(chart).isNotEmpty().allSatisfy(n -> assertThat(n).isGreaterThan(1));
    }
    assertThat(polylinePoints(section(dom, "chart-produced"))).containsExactly(points);
    assertThat(text(dom, "chart-produced-produced")).isEqualTo("204,389");
    // The lags are unknown (-1) at the start: the lines begin later instead of at zero.
    assertThat(polylinePoints(section(dom, "chart-lag"))).containsExactly(points - 1, points - 3);
  }

  @Test
  void aLastRunWithNothingToDoIsShownBesideTheLastRunThatDidWork() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ObjectNode batch = (ObjectNode) status.path("batch");
    batch.set("lastWork", batch.path("lastRun").deepCopy());
    ((ObjectNode) batch.path("lastRun"))
        .put("run", 16)
        .put("days", 0)
        .put("title_country_rows", 0)
        .put("user_day_rows", 0);

    String dom = dumpDom(() -> status);

    assertThat(text(dom, "batch-last-run")).startsWith("run 16 · gold");
    assertThat(text(dom, "batch-last-work")).startsWith("run 15 · gold");
  }

  @Test
  void skippedRunLogLinesAreSaidOnTheBatchCardAndNothingIsSaidWithoutThem() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ((ObjectNode) status.path("batch")).put("unreadableLines", 2);

    assertThat(text(dumpDom(() -> status), "batch-unreadable"))
        .isEqualTo("2 line(s) of the run log skipped: cut short by a kill or a full disk");

    ((ObjectNode) status.path("batch")).put("unreadableLines", 0);
    assertThat(dumpDom(() -> status)).doesNotContain("data-testid=\"batch-unreadable\"");
  }

  @Test
  void theClustersCardListsTheTaskManagersTheWorkersAndTheChainsExecutors() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ObjectNode clusters = status.putObject("clusters");
    ArrayNode tms = clusters.putObject("flink").putArray("taskManagers");
    tms.addObject().put("id", "taskmanager-1").put("slots", 2).put("freeSlots", 1);
    tms.addObject().put("id", "taskmanager-2").put("slots", 2).put("freeSlots", 1);
    ObjectNode spark = clusters.putObject("spark");
    ArrayNode workers = spark.putArray("workers");
    for (String host : List.of("spark-worker-1", "spark-worker-2")) {
      workers
          .addObject()
          .put("host", host)
          .put("state", host.endsWith("2") ? "DEAD" : "ALIVE")
          .put("cores", 1)
          .put("coresUsed", 1)
          .put("memoryMb", 640)
          .put("memoryUsedMb", 384);
    }
    ArrayNode executors = spark.putArray("executors");
    executors.addObject().put("id", "driver").put("hostPort", "chain:40000").put("active", true);
    executors
        .addObject()
        .put("id", "0")
        .put("hostPort", "spark-worker-1:41000")
        .put("active", true)
        .put("activeTasks", 1)
        .put("completedTasks", 212)
        .put("failedTasks", 0);
    executors
        .addObject()
        .put("id", "1")
        .put("hostPort", "spark-worker-2:41000")
        .put("active", false)
        .put("completedTasks", 97)
        .put("failedTasks", 3);

    String dom = dumpDom(() -> status);

    assertThat(text(dom, "flink-taskmanagers")).isEqualTo("2");
    assertThat(dom)
        .contains("data-testid=\"tm-taskmanager-1\"")
        .contains("data-testid=\"tm-taskmanager-2\"");
    assertThat(text(dom, "spark-workers")).isEqualTo("1");
    assertThat(text(dom, "spark-executors")).isEqualTo("1");
    assertThat(row(dom, "worker-spark-worker-2")).contains("DEAD");
    assertThat(row(dom, "executor-1")).contains("(lost)").contains("97");
    assertThat(dom).doesNotContain("data-testid=\"executor-driver\"");
  }

  @Test
  void withoutClusterFiguresTheClustersCardIsHidden() throws Exception {
    JsonNode sample = sample();
    String dom = dumpDom(() -> sample);

    assertThat(dom)
        .contains("id=\"clusters\" data-testid=\"card-clusters\" style=\"display: none;\"");
  }

  @Test
  void aDrainedStreamJobIsShownFinishedWithItsFinalTotalsNotUnreachable() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ObjectNode stream = (ObjectNode) status.path("stream");
    stream.put("reachable", false).put("ended", "drained").put("state", "FINISHED");
    ((ObjectNode) stream.path("counters")).put("sessionsEmitted", 425);

    String dom = dumpDom(() -> status);

    assertThat(text(dom, "stream-state")).isEqualTo("finished (drained)");
    assertThat(text(dom, "counter-sessionsEmitted")).isEqualTo("425");
    assertThat(text(dom, "stream-note")).contains("final totals");
    assertThat(dom).doesNotContain("<section class=\"card down\" id=\"stream\"");
  }

  @Test
  void aStreamJobThatStoppedAnsweringShowsTheCountersLastSeenAndWhen() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ObjectNode stream = (ObjectNode) status.path("stream");
    stream
        .put("reachable", false)
        .put("state", "STOPPED")
        .put("countersAt", "2025-03-14T10:21:07Z");

    String dom = dumpDom(() -> status);

    assertThat(text(dom, "stream-state")).isEqualTo("not answering");
    assertThat(text(dom, "counter-sessionsEmitted")).isEqualTo("58,730");
    assertThat(text(dom, "stream-note")).contains("counters as last seen at");
  }

  @Test
  void showsUnreachableStagesAndAFailedVerification() throws Exception {
    ObjectNode status = (ObjectNode) sample();
    ObjectNode kafka = status.putObject("kafka");
    kafka.put("reachable", false);
    kafka.put("error", "Timed out waiting for a node assignment. Call: describeTopics");
    ObjectNode stream = status.putObject("stream");
    stream.put("lag", -1);
    stream.put("reachable", false);
    ((ObjectNode) status.path("generator")).put("records", 0);
    ((ObjectNode) status.path("batch")).put("lag", -1).put("caughtUp", false);
    ObjectNode report = status.putObject("verification");
    report.put("at", "2025-03-14T10:22:39Z").put("seconds", 4.2).put("verdict", "FAIL");
    ArrayNode checks = report.putArray("checks");
    check(checks, "kafka", "records in the events topic", "PASS", "204389", "204389");
    check(
            checks,
            "gold",
            "daily title x country rows",
            "FAIL",
            "4812 rows",
            "4811 rows (1 missing, 0 unexpected)")
        .putArray("details")
        .add("expected, missing: 2025-03-13 t-0193 DE 14 sessions 2593000 ms");
    check(checks, "stream (Flink)", "stream job caught up", "NOT_READY", "", "")
        .putArray("details")
        .add("the stream job has committed 198000 of 204389 records (it commits on checkpoints)");

    String dom = dumpDom(() -> status);

    assertThat(text(dom, "kafka-state")).isEqualTo("unreachable");
    assertThat(text(dom, "kafka-error")).contains("Timed out waiting for a node assignment");
    assertThat(text(dom, "stream-state")).isEqualTo("unreachable");
    assertThat(text(dom, "stream-lag")).isEqualTo("—");
    assertThat(text(dom, "produced")).isEqualTo("unknown");
    assertThat(dom).doesNotContain("data-testid=\"topic-" + PipelineNames.EVENTS_TOPIC + "\"");
    assertThat(dom).contains("<section class=\"card down\" id=\"kafka\"");
    assertThat(text(dom, "verdict")).isEqualTo("FAIL");
    assertThat(dom)
        .contains("data-outcome=\"FAIL\"")
        .contains("expected 4,812 rows, found 4,811 rows (1 missing, 0 unexpected)")
        .contains("expected, missing: 2025-03-13 t-0193 DE")
        .contains("data-outcome=\"NOT_READY\"")
        .contains("the stream job has committed");
  }

  @Test
  void keepsThePageAndShowsABannerWhenTheStatusFails() throws Exception {
    JsonNode sample = sample();
    AtomicInteger calls = new AtomicInteger();
    String dom =
        dumpDom(
            () -> {
              if (calls.getAndIncrement() > 0) {
                throw new IllegalStateException("collector gone");
              }
              return sample;
            });

    assertThat(calls).hasValueGreaterThan(1);
    assertThat(text(dom, "banner")).startsWith("status unavailable, retrying");
    assertThat(dom).contains("data-testid=\"banner\" role=\"alert\" class=\"show\"");
    assertThat(text(dom, "verdict")).isEqualTo("PASS"); // the last good status stays
  }

  @Test
  void writesAScreenshotWhoseVerdictIsDrawnInItsBoxInItsColour() throws Exception {
    JsonNode sample = sample();
    Path png = screenshot(sample, Path.of("target", "status-view.png").toAbsolutePath());
    ObjectNode waiting = (ObjectNode) sample.deepCopy();
    ((ObjectNode) waiting.get("verification")).put("verdict", "NOT_READY");
    Path other = screenshot(waiting, png.resolveSibling("status-view-not-ready.png"));

    BufferedImage picture = ImageIO.read(png.toFile());
    assertThat(picture.getWidth()).isEqualTo(1280);
    assertThat(picture.getHeight()).isEqualTo(1600);
    // Only the verdict's head differs between the two pages (the checks keep their outcomes): in
    // the left column (the verification card; the charts on the right are drawn as the browser's
    // timing allows) the region that differs is the verdict's box and its explanation.
    int[] box = regionThatDiffers(leftColumn(picture), leftColumn(ImageIO.read(other.toFile())));
    assertThat(box).as("a region differs between PASS and NOT READY").isNotNull();
    assertThat(box[3] - box[1]).as("height of the region that differs").isBetween(20, 200);
    // In it, the word PASS: bold 26 px text in the page's "ok" green (#1f8a4c) on its light green
    // (#e3f4ea) box. A page whose verdict box is empty, or unstyled, has neither there.
    BufferedImage verdict =
        picture.getSubimage(box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1);
    assertThat(pixelsNear(verdict, 0x1f8a4c)).as("green text pixels of PASS").isGreaterThan(150);
    System.out.println("status view screenshot: " + png);
  }

  private Path screenshot(JsonNode status, Path png) throws Exception {
    Files.createDirectories(png.getParent());
    Files.deleteIfExists(png);
    try (StatusServer server = new StatusServer("127.0.0.1", 0, () -> status).start()) {
      run(
          List.of("--screenshot=" + png, "--window-size=1280,1600", "--hide-scrollbars"),
          "http://127.0.0.1:" + server.port() + "/");
    }
    assertThat(png).exists();
    return png;
  }

  /** The left half of the page: the verification card below the top row of cards. */
  private static BufferedImage leftColumn(BufferedImage page) {
    return page.getSubimage(0, 0, page.getWidth() / 2, page.getHeight());
  }

  /**
   * The box {@code {left, top, right, bottom}} around every pixel where the two pictures differ, or
   * null if they are the same.
   */
  private static int[] regionThatDiffers(BufferedImage a, BufferedImage b) {
    int[] box = null;
    for (int y = 0; y < Math.min(a.getHeight(), b.getHeight()); y++) {
      for (int x = 0; x < Math.min(a.getWidth(), b.getWidth()); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          box =
              box == null
                  ? new int[] {x, y, x, y}
                  : new int[] {
                    Math.min(box[0], x), box[1], Math.max(box[2], x), Math.max(box[3], y)
                  };
        }
      }
    }
    return box;
  }

  /** Pixels whose colour is within a small distance of {@code rgb} (text is anti-aliased). */
  private static long pixelsNear(BufferedImage picture, int rgb) {
    long near = 0;
    for (int y = 0; y < picture.getHeight(); y++) {
      for (int x = 0; x < picture.getWidth(); x++) {
        int pixel = picture.getRGB(x, y);
        int dr = ((pixel >> 16) & 0xff) - ((rgb >> 16) & 0xff);
        int dg = ((pixel >> 8) & 0xff) - ((rgb >> 8) & 0xff);
        int db = (pixel & 0xff) - (rgb & 0xff);
        if (dr * dr + dg * dg + db * db < 20 * 20) {
          near++;
        }
      }
    }
    return near;
  }

  private String dumpDom(Supplier<JsonNode> status) throws IOException, InterruptedException {
    try (StatusServer server = new StatusServer("127.0.0.1", 0, status).start()) {
      String dom = run(List.of("--dump-dom"), "http://127.0.0.1:" + server.port() + "/");
      assertThat(dom).contains("</html>");
      // Only the rendered markup: the page's own script mentions the test ids too.
      return dom.replaceAll("(?s)<script>.*?</script>", "");
    }
  }

  /** Runs headless Chromium once; returns what it printed (the DOM for --dump-dom). */
  private String run(List<String> args, String url) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                browser.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--user-data-dir=" + home.resolve("profile"),
                "--virtual-time-budget=5000"));
    command.addAll(args);
    command.add(url);
    Path out = home.resolve("chromium.out");
    Path err = home.resolve("chromium.err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("HOME", home.toString());
    Process process = builder.start();
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        fail("chromium did not finish within %d s: %s", TIMEOUT_SECONDS, Files.readString(err));
      }
      assertThat(process.exitValue())
          .as("chromium's exit code; stderr:%n%s", Files.readString(err))
          .isZero();
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static Optional<Path> chromium() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(
            Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "chromium")),
            Stream.of(Path.of("/usr/bin/chromium")))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static JsonNode sample() throws IOException {
    try (InputStream in =
        StatusPageInBrowserTest.class.getResourceAsStream("/status/sample-status.json")) {
      assertThat(in).as("the fixture /status/sample-status.json").isNotNull();
      return JSON.readTree(in);
    }
  }

  private static ObjectNode check(
      ArrayNode checks, String stage, String name, String outcome, String expected, String actual) {
    ObjectNode check = checks.addObject();
    check.put("stage", stage).put("name", name).put("outcome", outcome);
    check.put("expected", expected).put("actual", actual);
    check.putArray("details");
    return check;
  }

  /** The text before the first child element of the element with this data-testid. */
  private static String text(String dom, String testId) {
    Matcher m =
        Pattern.compile("data-testid=\"" + Pattern.quote(testId) + "\"[^>]*>([^<]*)").matcher(dom);
    assertThat(m.find()).as("an element with data-testid=\"%s\" in the page", testId).isTrue();
    return m.group(1).replace("&amp;", "&").trim();
  }

  /** The text of the table row with this data-testid, its cells separated by spaces. */
  private static String row(String dom, String testId) {
    int start = dom.indexOf("data-testid=\"" + testId + "\"");
    assertThat(start).as("a row with data-testid=\"%s\"", testId).isNotNegative();
    String markup = dom.substring(start, dom.indexOf("</tr>", start));
    return markup.substring(markup.indexOf('>') + 1).replaceAll("<[^>]*>", " ").trim();
  }

  /** The markup of the element with this data-testid up to its section's end. */
  private static String section(String dom, String testId) {
    int start = dom.indexOf("data-testid=\"" + testId + "\"");
    assertThat(start).as("an element with data-testid=\"%s\"", testId).isNotNegative();
    int end = dom.indexOf("</section>", start);
    return dom.substring(start, end < 0 ? dom.length() : end);
  }

  /** The number of x,y points of each polyline, after checking that they are numbers. */
  private static List<Integer> polylinePoints(String markup) {
    List<Integer> counts = new ArrayList<>();
    Matcher m = Pattern.compile("<polyline points=\"([^\"]*)\"").matcher(markup);
    while (m.find()) {
      String[] points = m.group(1).trim().split("\\s+");
      for (String point : points) {
        assertThat(point).matches("-?\\d+(\\.\\d+)?,-?\\d+(\\.\\d+)?");
      }
      counts.add(points.length);
    }
    return counts;
  }

  private static int count(String dom, String needle) {
    int n = 0;
    for (int i = dom.indexOf(needle); i >= 0; i = dom.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
