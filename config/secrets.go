package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretFileBytes bounds a secret file: a secret is short, and a path
// to anything else (a device, a log) fails at start instead of filling
// memory.
const maxSecretFileBytes = 64 << 10

// readSecretFiles reads every secret given as a file (-auth-secret-file,
// -redis-password-file, -redis-sentinel-password-file) into its setting,
// once. A file that cannot be read, is empty or too large fails, naming
// the setting and the path, never the content; so does a secret given
// both ways.
func (c *Config) readSecretFiles() error {
	var errs []error
	for _, s := range []struct {
		flag, path, other string // other: the flag that gives the secret as is, if any
		dst               *string
	}{
		{"auth-secret-file", c.Auth.SecretFile, "auth-secret", &c.Auth.Secret},
		{"redis-password-file", c.Redis.PasswordFile, "", &c.Redis.Password},
		{"redis-sentinel-password-file", c.Redis.SentinelPasswordFile, "", &c.Redis.SentinelPassword},
	} {
		if s.path == "" {
			continue
		}
		if *s.dst != "" {
			errs = append(errs, fmt.Errorf("-%s (%s) and -%s (%s): set one, not both", s.other, EnvName(s.other), s.flag, EnvName(s.flag)))
			continue
		}
		v, err := readSecretFile(s.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("-%s (%s): %w", s.flag, EnvName(s.flag), err))
			continue
		}
		*s.dst = v
	}
	return errors.Join(errs...)
}

// readSecretFile returns the content of the file at path without its
// trailing line breaks (as echo and most editors leave one).
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err // *fs.PathError: the operation, the path and why
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxSecretFileBytes {
		return "", fmt.Errorf("%s is over %d bytes: want a file that holds the secret alone", path, maxSecretFileBytes)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if secret == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return secret, nil
}
