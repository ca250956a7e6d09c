// One page of a listing: the items read and the token that continues it.
// Every store returns its listings as a Page<T> (cases, assessments, needs,
// instruments, ...), so paging reads the same everywhere and a handler copies
// a page into its response without knowing which store produced it.
//
//   ASSIGN_OR_RETURN(storage::Page<Need> page,
//                    assessments.ListNeeds(p, case_id, dimension, 50, token));
//   for (Need& n : page.items) *response->add_needs() = std::move(n);
//   response->set_next_page_token(std::move(page.next_page_token));
#ifndef HOMEWARD_COMMON_STORAGE_PAGE_H_
#define HOMEWARD_COMMON_STORAGE_PAGE_H_

#include <string>
#include <vector>

namespace homeward::storage {

template <typename T>
struct Page {
  std::vector<T> items;
  // Empty on the last page. A page may hold fewer items than asked for (a
  // filter applied in memory left some out) and still have a token.
  std::string next_page_token;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_PAGE_H_
