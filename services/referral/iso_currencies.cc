// The ISO 4217 table; see iso_currencies.h.
#include "services/referral/iso_currencies.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"

namespace homeward::referral {
namespace {

// Active codes of ISO 4217 list one (2024), grouped by exponent. Most
// currencies have two decimals; the exceptions are listed first.
constexpr absl::string_view kNoDecimals =
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
constexpr absl::string_view kThreeDecimals = "BHD IQD JOD KWD LYD OMR TND";
constexpr absl::string_view kFourDecimals = "CLF UYW";
constexpr absl::string_view kTwoDecimals =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV "
    "BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE "
    "CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD "
    "HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN "
    "NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG "
    "SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD "
    "TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWL";

const absl::flat_hash_map<absl::string_view, int>& Table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<absl::string_view, int>();
    const std::pair<absl::string_view, int> groups[] = {
        {kNoDecimals, 0},
        {kTwoDecimals, 2},
        {kThreeDecimals, 3},
        {kFourDecimals, 4}};
    for (const auto& [codes, exponent] : groups) {
      for (absl::string_view code : absl::StrSplit(codes, ' ')) {
        t->emplace(code, exponent);
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

std::optional<int> CurrencyExponent(absl::string_view code) {
  auto it = Table().find(code);
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

}  // namespace homeward::referral
