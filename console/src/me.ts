// The signed-in operator as the console shows them, shared by the shell and the pages it opens.

/** The operator's own record, for the header and to decide what they may open. */
export interface Me {
  id: number;
  name: string;
  roles: string[];
}
