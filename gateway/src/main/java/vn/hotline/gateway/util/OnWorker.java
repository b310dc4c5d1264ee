package vn.hotline.gateway.util;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an event-loop class (a route, a guard) that runs only on a worker thread, inside
 * {@code workers.executeBlocking}, and may therefore use the store. ArchitectureTest checks that such a method
 * is called only from a lambda body (the work handed to the worker) or from another such method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnWorker {}
