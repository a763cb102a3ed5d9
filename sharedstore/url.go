package sharedstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ParseURL reads a Redis address in one of three forms, with go-redis's
// query parameters (dial_timeout, pool_size, ...):
//
//   - one server: redis://[user:password@]host:port[/db], or rediss:// for
//     TLS (go-redis's ParseURL);
//   - Sentinel: redis://[user:password@]sentinel:26379?master_name=NAME,
//     more sentinels as addr=host:port (go-redis's ParseFailoverURL: the
//     URL's user and password are the sentinels', the master's are the
//     username= and password= parameters);
//   - Cluster: redis://host:port?cluster=true, more seed nodes as
//     addr=host:port (go-redis's ParseClusterURL); addr= without
//     master_name implies cluster=true.
//
// Errors never include a password: neither the user's nor a password=
// parameter's.
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL") // url's errors quote the URL, password included
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("scheme %q: want redis:// or rediss://", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("no host: want redis://host:port")
	}
	q := u.Query()
	cluster := q.Get("cluster") == "true" || (q.Has("addr") && !q.Has("master_name"))
	q.Del("cluster")
	u.RawQuery = q.Encode()
	safe := redacted(u)
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("sentinel URL %s: %w", safe, redact(err, u))
		}
		return &redis.UniversalOptions{
			Addrs: o.SentinelAddrs, MasterName: o.MasterName,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
			PoolSize: o.PoolSize, MinIdleConns: o.MinIdleConns, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		}, nil
	case cluster:
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("cluster URL %s: %w", safe, redact(err, u))
		}
		return &redis.UniversalOptions{
			Addrs: o.Addrs, IsClusterMode: true,
			Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
			PoolSize: o.PoolSize, MinIdleConns: o.MinIdleConns, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		}, nil
	}
	o, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("URL %s: %w", safe, redact(err, u))
	}
	return &redis.UniversalOptions{
		Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
		PoolSize: o.PoolSize, MinIdleConns: o.MinIdleConns, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
	}, nil
}

// setPasswords sets the passwords given apart from the URL (Options'
// Password and SentinelPassword) on o, refusing one the URL also has.
func setPasswords(o *redis.UniversalOptions, password, sentinelPassword string) error {
	if password != "" {
		if o.Password != "" {
			return errors.New("the URL has a password and one is given apart (a password file): keep one")
		}
		o.Password = password
	}
	if sentinelPassword != "" {
		switch {
		case o.MasterName == "":
			return errors.New("a sentinels' password is given, but the URL is not a Sentinel URL (?master_name=)")
		case o.SentinelPassword != "":
			return errors.New("the URL has the sentinels' password and one is given apart (a password file): keep one")
		}
		o.SentinelPassword = sentinelPassword
	}
	return nil
}

// redacted returns u as an error may show it: the user's password and
// every password parameter (a Sentinel URL's password=) replaced.
func redacted(u *url.URL) string {
	c := *u
	q := c.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
		}
	}
	c.RawQuery = q.Encode()
	return c.Redacted()
}

// redact drops err's text if it holds any of u's passwords.
func redact(err error, u *url.URL) error {
	secrets := []string{}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	for k, vs := range u.Query() {
		if strings.Contains(strings.ToLower(k), "password") {
			secrets = append(secrets, vs...)
		}
	}
	for _, p := range secrets {
		if p != "" && strings.Contains(err.Error(), p) {
			return errors.New("invalid (details withheld: they hold a password)")
		}
	}
	return err
}
