package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabsSplitTest {
  @Test
  void everyLabRunsOnRealEnginesInExactlyOneOfTheTwoClasses() {
    List<String> both = new ArrayList<>(LakeLabsIT.NAMES);
    both.addAll(PipelineLabsIT.NAMES);
    assertThat(both).containsExactlyInAnyOrderElementsOf(Labs.ALL.stream().map(Lab::name).toList());
  }
}
