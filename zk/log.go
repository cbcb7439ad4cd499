package zk

import "github.com/consensys/gnark/logger"

// gnark logs every compile and proof to stdout through zerolog; a library (and a CLI printing JSON)
// must stay quiet, so the package turns gnark's logger off.
func init() { logger.Disable() }
