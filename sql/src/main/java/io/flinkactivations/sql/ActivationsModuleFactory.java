package io.flinkactivations.sql;

import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.factories.ModuleFactory;
import org.apache.flink.table.module.Module;

/**
 * Lets {@code LOAD MODULE activations} find {@link ActivationsModule} (Flink's factory SPI); it
 * takes no options.
 */
@Internal
public final class ActivationsModuleFactory implements ModuleFactory {

    @Override
    public String factoryIdentifier() {
        return ActivationsModule.IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public Module createModule(Context context) {
        return ActivationsModule.INSTANCE;
    }
}
