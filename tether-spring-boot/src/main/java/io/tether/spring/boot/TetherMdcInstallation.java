package io.tether.spring.boot;

import io.tether.slf4j.TetherMDC;

/**
 * The bean that stands for Logback's MDC being kept in Tether's context: {@link
 * TetherAutoConfiguration} creates it by calling {@link TetherMDC#install()}, once, when the
 * application context starts (before the application's beans put anything in the MDC).
 *
 * <p>Caution: the installation lasts as long as the JVM; closing the application context does not
 * undo it (SLF4J binds its MDC once per JVM).
 */
public final class TetherMdcInstallation {

  private TetherMdcInstallation() {}

  static TetherMdcInstallation install() {
    TetherMDC.install();
    return new TetherMdcInstallation();
  }

  /**
   * Returns whether SLF4J's MDC is Tether's now.
   *
   * @return {@link TetherMDC#isInstalled()}
   */
  public boolean isInstalled() {
    return TetherMDC.isInstalled();
  }

  @Override
  public String toString() {
    return "TetherMdcInstallation(installed=" + isInstalled() + ")";
  }
}
