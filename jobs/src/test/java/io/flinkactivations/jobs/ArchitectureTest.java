package io.flinkactivations.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.annotation.Experimental;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.Public;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.Test;

/**
 * The line between the API and the internals, and what each artifact may depend on, checked on the
 * compiled main classes of core, operators, kafka, sql and the job.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .withImportOption(
                            location ->
                                    !location.contains("-tests.jar")
                                            && !location.contains("/jmh_generated/"))
                    .importPackages("io.flinkactivations");

    @Test
    void theImportSeesEveryArtifact() {
        assertThat(MAIN.stream().map(c -> c.getPackageName()).distinct())
                .contains(
                        "io.flinkactivations.core",
                        "io.flinkactivations.stream",
                        "io.flinkactivations.stream.internal",
                        "io.flinkactivations.kafka",
                        "io.flinkactivations.format",
                        "io.flinkactivations.sql",
                        "io.flinkactivations.jobs");
    }

    @Test
    void everyPublicTypeSaysWhetherItIsApiOrInternal() {
        classes()
                .that()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Public.class)
                .orShould()
                .beAnnotatedWith(Experimental.class)
                .orShould()
                .beAnnotatedWith(Internal.class)
                .check(MAIN);
    }

    @Test
    void internalPackagesHoldNoApi() {
        classes()
                .that()
                .resideInAPackage("..internal..")
                .and()
                .haveModifier(JavaModifier.PUBLIC)
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(Internal.class)
                .check(MAIN);
    }

    @Test
    void theCoreIsPlainJava() {
        classes()
                .that()
                .resideInAPackage("io.flinkactivations.core..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "io.flinkactivations.core..",
                        "java..",
                        "jdk.incubator.vector..",
                        "org.slf4j..",
                        "org.apache.flink.annotation..")
                .check(MAIN);
    }

    @Test
    void theOperatorsNeedNoKafkaAndNoJackson() {
        noClasses()
                .that()
                .resideInAPackage("io.flinkactivations.stream..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.flinkactivations.kafka..",
                        "io.flinkactivations.format..",
                        "io.flinkactivations.sql..",
                        "io.flinkactivations.jobs..",
                        "org.apache.kafka..",
                        "org.apache.flink.connector.kafka..",
                        "com.fasterxml.jackson..")
                .check(MAIN);
    }

    @Test
    void onlyTheJobUsesTheJob() {
        noClasses()
                .that()
                .resideOutsideOfPackages("io.flinkactivations.jobs..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.flinkactivations.jobs..")
                .check(MAIN);
    }
}
