package org.keystonesandbox.sandbox.run;

/** A part that never ends by itself, packed as a jar by the tests that need one. */
public final class HangingPart {
  private HangingPart() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("hanging-part: started; never ends by itself");
    Thread.sleep(Long.MAX_VALUE);
  }
}
