package config

import (
	"strconv"
	"time"
)

// ParseBool accepts the YAML 1.2 core schema booleans, as @actions/core's
// getBooleanInput does; anything else is refused rather than read as
// false, so that "yes" or "maybe" never silently turns a switch off.
func ParseBool(input, v string) (bool, error) {
	switch v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, inputErr(input, v, "must be true or false")
}

func parseInt(input, v string, min, max int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, inputErr(input, v, "must be a whole number from %d to %d", min, max)
	}
	return n, nil
}

func parseDuration(input, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return 0, inputErr(input, v, "must be a positive Go duration of at most 24h, such as 90s or 5m")
	}
	return d, nil
}
