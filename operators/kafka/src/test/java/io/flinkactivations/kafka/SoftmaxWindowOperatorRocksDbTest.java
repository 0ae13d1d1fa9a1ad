package io.flinkactivations.kafka;

import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * {@link SoftmaxWindowOperator} on RocksDB state, where every state access is serialized: the same
 * semantics as on heap state (nothing relies on state handing back the objects it was given).
 */
class SoftmaxWindowOperatorRocksDbTest extends WindowOperatorSemantics {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }
}
