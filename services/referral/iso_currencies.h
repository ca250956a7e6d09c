// ISO 4217 currencies and their minor-unit exponents: what the directory
// checks a cost option's currency against, and what converts an HSDS
// `amount` (a decimal number in the currency's major unit) to and from the
// Money minor units Homeward stores (XOF has no minor unit, EUR has cents,
// TND has millimes).
//
//   std::optional<int> exponent = CurrencyExponent("XOF");  // 0
//   if (!exponent) bad.Add("currency_code", "is not an ISO 4217 code");
#ifndef HOMEWARD_SERVICES_REFERRAL_ISO_CURRENCIES_H_
#define HOMEWARD_SERVICES_REFERRAL_ISO_CURRENCIES_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace homeward::referral {

// The number of decimals of the minor unit of the active ISO 4217 currency
// `code` (upper case, e.g. "EUR" -> 2, "XOF" -> 0, "TND" -> 3); nullopt for
// anything else, including codes without a minor unit (precious metals, XDR).
std::optional<int> CurrencyExponent(absl::string_view code);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_ISO_CURRENCIES_H_
