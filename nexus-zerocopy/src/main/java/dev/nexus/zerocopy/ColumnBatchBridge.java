package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.ColumnData;
import dev.nexus.zerocopy.internal.Hold;
import java.util.List;

/** {@link BatchAccess.Bridge} for {@link ColumnBatch}, registered by its static initialiser. */
final class ColumnBatchBridge implements BatchAccess.Bridge {

    @Override
    public ColumnData column(ColumnBatch batch, int col) {
        ColumnData data = batch.columnData(col);
        return new ColumnData(data.type(), data.childType(), batch.rows(), batch.nullCount(col), data.validity(),
                data.offsets(), data.values());
    }

    @Override
    public Hold retain(ColumnBatch batch, String kind) {
        return batch.lifetime().retain(kind);
    }

    @Override
    public ColumnBatch imported(EpochDomain domain, Schema schema, int rows, int offset, List<ColumnData> columns,
                                Runnable releaseToProducer) {
        return BatchFactory.imported(domain, schema, rows, offset, columns, releaseToProducer);
    }

    @Override
    public List<HoldInfo> openHolds(ColumnBatch batch) {
        return batch.lifetime().openHolds();
    }
}
