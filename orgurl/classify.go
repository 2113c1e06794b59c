package orgurl

import (
	"fmt"
	"regexp"
	"strings"
)

// myDomainSuffixes are the DNS suffixes under which an org's own host names
// its My Domain as NAME[.PARTITION]: the login host itself, and the
// Lightning and Setup hosts an admin may copy from the address bar instead.
var myDomainSuffixes = []string{
	Suffix,
	".lightning.force.com",
	".my.salesforce-setup.com",
}

// genericLoginHosts serve every org and so do not say which org is meant.
var genericLoginHosts = map[string]bool{
	"login.salesforce.com": true,
	"test.salesforce.com":  true,
}

// salesforceDomains are Salesforce's own domains whose other hosts (instance
// hosts, Visualforce, Experience Cloud sites…) belong to an org but are not
// its My Domain login URL.
var salesforceDomains = []string{
	"salesforce.com",
	"force.com",
	"salesforce-setup.com",
	"salesforce-sites.com",
	"site.com",
	"visualforce.com",
	"cloudforce.com",
}

// classicInstance matches the first label of the instance hosts of Salesforce
// Classic (na1, cs42, eu12, um5, usa2s), which serve many orgs.
var classicInstance = regexp.MustCompile(`^[a-z]{2,5}[0-9]{1,4}[a-z]?$`)

// Reasons that tell the admin where to find the right URL.
const (
	reasonGenericLogin = "%s is Salesforce's generic login page, not your org: enter your My Domain URL, shown in Salesforce under Setup > My Domain"
	reasonInstance     = "%s is a Salesforce instance host shared by many orgs, not your org: enter your My Domain URL, shown in Salesforce under Setup > My Domain"
)

// classify decides what a syntactically valid, non-government host is.
func classify(raw, host string) (MyDomain, error) {
	for _, suffix := range myDomainSuffixes {
		if prefix, ok := strings.CutSuffix(host, suffix); ok {
			return myDomain(raw, host, prefix)
		}
		if host == suffix[1:] {
			return refuse(raw, fmt.Sprintf("%s has no My Domain name in front of it", host))
		}
	}
	if genericLoginHosts[host] {
		return refuse(raw, fmt.Sprintf(reasonGenericLogin, host))
	}
	for _, d := range salesforceDomains {
		sub, ok := strings.CutSuffix(host, "."+d)
		if !ok && host != d {
			continue
		}
		if d == "salesforce.com" && classicInstance.MatchString(sub) {
			return refuse(raw, fmt.Sprintf(reasonInstance, host))
		}
		return refuse(raw, fmt.Sprintf("%s is a Salesforce host but not a My Domain; a My Domain URL ends in .my.salesforce.com", host))
	}
	if strings.Contains(host, "salesforce") || strings.Contains(host, "force.com") {
		// Refused like any foreign host, but named as a lookalike so that
		// a phishing link pasted in good faith is recognised as one.
		return refuse(raw, fmt.Sprintf("%s imitates a Salesforce address but is not on Salesforce's domains", host))
	}
	return refuse(raw, fmt.Sprintf("%s is not a Salesforce address", host))
}

// myDomain validates prefix, what comes before one of myDomainSuffixes in
// host: NAME or NAME.PARTITION.
func myDomain(raw, host, prefix string) (MyDomain, error) {
	name, partition, hasPartition := strings.Cut(prefix, ".")
	switch {
	case strings.Contains(partition, "."):
		return refuse(raw, fmt.Sprintf("%s has too many labels to be a My Domain", host))
	case hasPartition && partition == PartitionSandbox:
		base, sandbox, ok := strings.Cut(name, "--")
		if !ok {
			return refuse(raw, fmt.Sprintf("%s names a sandbox without its sandbox name; a sandbox's My Domain is NAME--SANDBOX.sandbox.my.salesforce.com", host))
		}
		if reason := checkName(base); reason != "" {
			return refuse(raw, reason)
		}
		if !validSandboxName(sandbox) {
			return refuse(raw, fmt.Sprintf("%q is not a valid sandbox name (letters and digits, at most %d)", quoted(sandbox), maxSandboxName))
		}
	case !hasPartition && partitions[name]:
		// "sandbox.my.salesforce.com" is a partition with the name left out,
		// not an org called "sandbox".
		return refuse(raw, fmt.Sprintf("%s names the %s partition but no My Domain name", host, name))
	case hasPartition && !partitions[partition]:
		return refuse(raw, fmt.Sprintf("%s names the unknown partition %q; known partitions are sandbox, develop, scratch, demo, patch, trailblaze and free", host, partition))
	case strings.Contains(name, "--"):
		return refuse(raw, fmt.Sprintf("%q contains \"--\", which only separates a sandbox name, as in NAME--SANDBOX.sandbox.my.salesforce.com", quoted(name)))
	default:
		if reason := checkName(name); reason != "" {
			return refuse(raw, reason)
		}
	}
	return newMyDomain(name, partition), nil
}

const (
	// maxName is the longest My Domain name Salesforce allows.
	maxName = 40
	// maxSandboxName is the longest sandbox name Salesforce allows.
	maxSandboxName = 10
	// devEdSuffix is appended by Salesforce to the chosen name of Developer
	// Edition, scratch and Trailhead orgs, beyond the 40 characters.
	devEdSuffix = "-dev-ed"
)

// checkName says what is wrong with a My Domain name (without its sandbox
// part), or "" when nothing is. The host syntax (characters, hyphens at the
// ends) was checked already; what remains are Salesforce's own rules.
func checkName(name string) string {
	core := strings.TrimSuffix(name, devEdSuffix)
	switch {
	case core == "":
		return fmt.Sprintf("%q is not a valid My Domain name", quoted(name))
	case strings.HasPrefix(core, "-") || strings.HasSuffix(core, "-") || strings.Contains(core, "--"):
		return fmt.Sprintf("%q is not a valid My Domain name (letters, digits and single hyphens, not at either end)", quoted(name))
	case len(core) > maxName:
		return fmt.Sprintf("%q is not a valid My Domain name: it is longer than %d characters", quoted(name), maxName)
	}
	return ""
}

// validSandboxName says whether s can be a sandbox name.
func validSandboxName(s string) bool {
	if s == "" || len(s) > maxSandboxName {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
