package org.keystonesandbox.batch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlScriptTest {
  @Test
  void splitsAtSemicolonsAndDropsEmptyStatements() {
    assertThat(SqlScript.statements("SELECT 1;\n\n  SELECT 2 ;;\nSELECT 3"))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
  }

  @Test
  void aSemicolonInAStringAnIdentifierOrACommentDoesNotSplit() {
    String script =
        "SELECT ';' AS a, \"x;y\" AS `b;c`; -- one; two\nSELECT 'it\\'s;' /* three; */;";
    assertThat(SqlScript.statements(script))
        .containsExactly(
            "SELECT ';' AS a, \"x;y\" AS `b;c`", "-- one; two\nSELECT 'it\\'s;' /* three; */");
  }

  @Test
  void aScriptOfOnlyCommentsHasNoStatement() {
    assertThat(SqlScript.statements("-- nothing here;\n/* nor; here */\n")).isEmpty();
  }

  @Test
  void aStatementIsCompleteOnlyWhenItEndsWithASemicolonOutsideQuotes() {
    assertThat(SqlScript.isComplete("SELECT 1")).isFalse();
    assertThat(SqlScript.isComplete("SELECT 1;")).isTrue();
    assertThat(SqlScript.isComplete("SELECT 1;  -- done\n")).isTrue();
    assertThat(SqlScript.isComplete("SELECT ';")).isFalse();
    assertThat(SqlScript.isComplete("SELECT 1; SELECT")).isFalse();
  }
}
