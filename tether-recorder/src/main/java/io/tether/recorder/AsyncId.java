package io.tether.recorder;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.Relational;

/**
 * Marks a field of Tether's JFR events that holds an async id: the resource's own or its trigger's.
 * It is {@link Relational}, so that JFR tools relate an {@code io.tether.Run} to its {@code
 * io.tether.Init} and an {@code Init} to its trigger's. In recordings it is named {@value
 * JfrFormat#ASYNC_ID_ANNOTATION}.
 */
@MetadataDefinition
@Relational
@Name(JfrFormat.ASYNC_ID_ANNOTATION)
@Label("Async Id")
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface AsyncId {}
