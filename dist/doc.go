// Package dist holds what installs annalist as a service: the systemd
// unit, the configurations it and the Dockerfile ship, and the tests that
// check them against the binary they run.
package dist
