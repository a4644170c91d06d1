package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoContextLeft.class)
@Timeout(30)
class ResourceLedgerTest {

  @Test
  void aResourceMadeAndDestroyedOnce_isNoFault() {
    ResourceLedger ledger = ResourceLedger.enable();
    try {
      AsyncResource resource = new AsyncResource("LEDGERED");
      resource.emitDestroy();
    } finally {
      ledger.disable();
    }
    assertThat(ledger.inits()).isGreaterThanOrEqualTo(1);
    assertThat(ledger.initialisedTwice()).isEmpty();
    assertThat(ledger.destroyedTwice()).isEmpty();
    assertThat(ledger.destroyedWithoutInit()).isEmpty();
  }

  @Test
  void findsTwoInits_twoDestroys_andADestroyWithoutInit_acrossChunks_andBeforeTheFirstId() {
    ResourceLedger ledger = ResourceLedger.enable();
    ledger.disable();
    long first = new AsyncResource("AFTER_THE_LEDGER").asyncId();
    long far = first + (1L << 20) + 5; // in the next chunk of bits
    long earlier = first - 3; // made before the ledger: may be destroyed without an init it saw
    for (long id : new long[] {first, far}) {
      ledger.init(id, "T", 1, null);
      ledger.destroy(id);
    }
    ledger.destroy(earlier);
    assertThat(ledger.initialisedTwice()).isEmpty();
    assertThat(ledger.destroyedTwice()).isEmpty();
    assertThat(ledger.destroyedWithoutInit()).isEmpty();

    ledger.init(far, "T", 1, null);
    ledger.destroy(first);
    ledger.destroy(earlier);
    ledger.destroy(far + 1);
    ledger.destroy(Long.MAX_VALUE);

    assertThat(ledger.initialisedTwice()).containsExactly(far);
    assertThat(ledger.destroyedTwice()).containsExactly(first, earlier);
    assertThat(ledger.destroyedWithoutInit()).containsExactly(far + 1, Long.MAX_VALUE);
    assertThat(ledger.toString())
        .isEqualTo(
            "3 inits, 7 destroys, 1 ids initialised twice, 2 destroyed twice,"
                + " 2 destroyed without an init");
  }
}
